//! `switchyard serve`'s HTTP side (axum): webhooks under `/hooks/`, the JSON API under `/api/`,
//! the live run stream, and the browser UI. Handlers are thin: parse, call [`App`], map errors.

mod api;
mod history;
mod hooks;
mod live;
mod settings;
mod signature;
mod testing;

use std::future::Future;
use std::path::PathBuf;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use switchyard_app::{App, AppError};
use tokio::net::TcpListener;
use tower_http::services::{ServeDir, ServeFile};

pub use signature::{sign, verify, SignatureError};

/// How the server behaves at its door.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Largest webhook body accepted; larger gets 413.
    pub max_body_bytes: usize,
    /// How far a signed request's timestamp may be from now.
    pub signature_tolerance_secs: i64,
    /// The built UI (`ui/dist`) to serve at `/`, if any.
    pub ui_dir: Option<PathBuf>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            max_body_bytes: 1024 * 1024,
            signature_tolerance_secs: 300,
            ui_dir: None,
        }
    }
}

#[derive(Clone)]
pub(crate) struct Ctx {
    pub app: App,
    pub opts: std::sync::Arc<ServerOptions>,
}

/// The whole HTTP surface.
pub fn service(app: App, opts: ServerOptions) -> Server {
    let ui_dir = opts.ui_dir.clone();
    let ctx = Ctx {
        app,
        opts: std::sync::Arc::new(opts),
    };
    let mut router = axum::Router::new()
        .merge(settings::routes(ctx.clone()))
        .merge(history::routes(ctx.clone()))
        .merge(live::routes(ctx.clone()))
        .merge(testing::routes(ctx.clone()))
        .merge(api::routes(ctx.clone()));
    if let Some(dir) = ui_dir {
        let index = dir.join("index.html");
        router = router.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)));
    }
    Server {
        hooks: ctx,
        router: router.layer(axum::middleware::map_response(secure_headers)),
    }
}

/// The server's requests: `/hooks/...` straight to the webhook handler, everything else
/// through the router. A webhook is the request a busy server gets thousands of times a
/// second; skipping the router's matching, path parameters, extensions and boxed layers gave
/// it about 9% more events/s on one core (ARCHITECTURE, "Measured").
#[derive(Clone)]
pub struct Server {
    hooks: Ctx,
    router: axum::Router,
}

impl Server {
    /// What `axum::serve` takes.
    pub fn into_make_service(self) -> axum::routing::IntoMakeService<Server> {
        axum::ServiceExt::<axum::extract::Request>::into_make_service(self)
    }
}

impl tower_service::Service<axum::extract::Request> for Server {
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = futures::future::Either<
        futures::future::BoxFuture<'static, Result<Response, std::convert::Infallible>>,
        <axum::Router as tower_service::Service<axum::extract::Request>>::Future,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::extract::Request) -> Self::Future {
        use futures::future::{Either, FutureExt};
        if hooks::hook_path(&request).is_some() {
            let ctx = self.hooks.clone();
            Either::Left(
                async move { Ok(with_secure_headers(hooks::receive(ctx, request).await)) }.boxed(),
            )
        } else {
            Either::Right(self.router.call(request))
        }
    }
}

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'";

/// Adds the security headers a response does not set itself.
async fn secure_headers(response: Response) -> Response {
    with_secure_headers(response)
}

fn with_secure_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        if let header::Entry::Vacant(slot) = h.entry(name) {
            slot.insert(HeaderValue::from_static(value));
        }
    }
    response
}

/// Serves until `shutdown` resolves, then stops taking requests, lets those in flight finish,
/// and shuts the app down (runs finish or are released; the database is closed).
pub async fn serve(
    app: App,
    listener: TcpListener,
    opts: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let server = service(app.clone(), opts);
    let stopping = app.clone();
    let result = axum::serve(listener, server.into_make_service())
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("stopping: no new requests; finishing the ones in flight");
            stopping.begin_shutdown();
        })
        .await;
    app.shutdown().await;
    result
}

/// An error as JSON `{code, message}` with the status its code implies.
pub(crate) struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self.0.code.as_str() {
            "not_found" => StatusCode::NOT_FOUND,
            "invalid_request" | "invalid_json" => StatusCode::BAD_REQUEST,
            "invalid_workflow"
            | "invalid_workspace"
            | "duplicate_id"
            | "password_in_url"
            | "invalid_test_suite"
            | "unsupported_version" => StatusCode::UNPROCESSABLE_ENTITY,
            "conflict" | "run_not_failed" | "nodes_missing" | "nodes_changed" => {
                StatusCode::CONFLICT
            }
            "version_unavailable" | "no_event" => StatusCode::UNPROCESSABLE_ENTITY,
            "shutting_down" => StatusCode::SERVICE_UNAVAILABLE,
            "timeout" => StatusCode::GATEWAY_TIMEOUT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        error(status, &self.0.code, &self.0.message)
    }
}

pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"code": code, "message": message}))).into_response()
}
