# Switchyard — build, launch and test everything from a fresh Debian machine.
#
#   make app    install what is missing, build the UI and launch the desktop app
#   make test   every gate: formatting, lints, type checks, unit tests, desktop smoke test
#   make help   list the targets
#
# `make test` is a chain of small targets; add new gates as prerequisites of `test`.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

CARGO ?= cargo
NPM ?= npm
UI := ui
# Where cargo puts binaries: $CARGO_TARGET_DIR if set (.ci/run sets it), else ./target.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
# `tauri/custom-protocol` embeds ui/dist into the binary; without it the shell loads devUrl.
DESKTOP_CARGO_ARGS := -p switchyard-desktop --features tauri/custom-protocol
DESKTOP_BIN := $(TARGET_DIR)/debug/switchyard-desktop
# Tools installed with `cargo install`, cached next to the build outputs (outside the clone in CI).
TOOLS_DIR := $(TARGET_DIR)/tools
TAURI_DRIVER_VERSION := 2.1.0
TAURI_DRIVER := $(TOOLS_DIR)/tauri-driver-$(TAURI_DRIVER_VERSION)/bin/tauri-driver
XVFB_RUN := xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp"
SCREENSHOTS_TMP := $(TARGET_DIR)/screenshots

UI_SOURCES := $(shell find $(UI)/src $(UI)/public $(UI)/scripts -type f 2>/dev/null) \
	schema/api.schema.json $(UI)/index.html $(UI)/vite.config.ts $(UI)/tsconfig.json $(UI)/package.json
UI_STAMP := $(UI)/node_modules/.switchyard-installed
UI_DIST := $(UI)/dist/index.html

.PHONY: help app dev deps tools ui-deps ui-build ui-check ui-e2e rust-check rust-test \
	desktop-build desktop-test test bench screenshots

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- setup

deps: tools ## Install missing Debian packages (no-op when all are there) and check the toolchains
	@scripts/install-deps.sh

tools: ## Check that cargo and a recent enough Node.js are there
	@command -v $(CARGO) >/dev/null || { echo "cargo is missing: install Rust (rustup.rs)"; exit 1; }
	@command -v node >/dev/null && command -v $(NPM) >/dev/null \
		|| { echo "node and npm are missing: install Node.js 20.19+ (or 22.12+)"; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
		|| { echo "Node.js $$(node -v) is too old: the UI needs 20.19+ (or 22.12+)"; exit 1; }

ui-deps: $(UI_STAMP) ## Install the UI's npm packages (only when the lock file changed)

$(UI_STAMP): $(UI)/package-lock.json $(UI)/package.json | tools
	cd $(UI) && $(NPM) ci --no-audit --no-fund
	@touch $@

# ---------------------------------------------------------------- UI

ui-build: $(UI_DIST) ## Type-check and build the UI into ui/dist

$(UI_DIST): $(UI_STAMP) $(UI_SOURCES)
	cd $(UI) && $(NPM) run build

ui-check: ui-build ## UI gates: generated types fresh, tsc --noEmit (part of the build), vitest
	cd $(UI) && $(NPM) run check:types
	cd $(UI) && $(NPM) test

# Needs Debian's Chromium (`apt-get install chromium`); the test starts the real `switchyard serve`.
ui-e2e: ui-build | deps ## Browser e2e: the editor and the Runs screen in Chromium against `switchyard serve`
	@command -v chromium >/dev/null || { echo "chromium is missing: apt-get install chromium"; exit 1; }
	cd tests/e2e && $(NPM) ci --no-audit --no-fund
	$(CARGO) build -p switchyard
	SWITCHYARD_BIN=$(TARGET_DIR)/debug/switchyard node --test tests/e2e/editor.test.mjs tests/e2e/runs.test.mjs

# ---------------------------------------------------------------- Rust

rust-check: | deps ## cargo fmt --check and clippy with warnings as errors
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

rust-test: | deps ## cargo test for every crate, the desktop shell included
	$(CARGO) test --workspace

bench: | deps ## Benchmarks: 10k-node compile, per-node engine overhead, webhook throughput (serve on one core)
	$(CARGO) bench -p switchyard-core -p switchyard-engine
	$(CARGO) bench -p switchyard --bench webhook

# ---------------------------------------------------------------- desktop

desktop-build: $(UI_DIST) | deps ## Build the desktop app with the UI embedded
	$(CARGO) build $(DESKTOP_CARGO_ARGS)

# WebDriver server for Tauri apps (it drives WebKitWebDriver from Debian's webkit2gtk-driver).
# Built in a temporary folder (not $CARGO_TARGET_DIR), installed once per version.
$(TAURI_DRIVER): | tools
	env -u CARGO_TARGET_DIR $(CARGO) install tauri-driver --locked --version $(TAURI_DRIVER_VERSION) \
		--root $(TOOLS_DIR)/tauri-driver-$(TAURI_DRIVER_VERSION)

# Builds right before the tests: a plain `cargo build`/`cargo test` of the shell would leave a
# dev-mode binary (one that loads devUrl) at the same path.
desktop-test: desktop-build $(TAURI_DRIVER) ## The real window under Xvfb: smoke test, then tauri-driver e2e
	tests/desktop/smoke.sh $(DESKTOP_BIN)
	SWITCHYARD_DESKTOP_BIN=$(DESKTOP_BIN) TAURI_DRIVER=$(TAURI_DRIVER) \
		$(XVFB_RUN) node --test tests/desktop/driver.test.mjs

# The README's pictures, taken by the browser and desktop e2e tests.
screenshots: ## Regenerate docs/screenshots/ (runs ui-e2e and desktop-test with screenshots on)
	rm -rf $(SCREENSHOTS_TMP)
	E2E_SCREENSHOTS=$(SCREENSHOTS_TMP) $(MAKE) ui-e2e
	DESKTOP_SCREENSHOTS=$(SCREENSHOTS_TMP) $(MAKE) desktop-test
	mkdir -p docs/screenshots
	cp $(SCREENSHOTS_TMP)/desktop-workflow-list.png docs/screenshots/workflow-list.png
	cp $(SCREENSHOTS_TMP)/desktop-editor.png docs/screenshots/editor-lead-processing.png
	cp $(SCREENSHOTS_TMP)/diagnostic-on-node.png docs/screenshots/diagnostic-on-node.png

app: $(UI_DIST) | deps ## Build everything and launch the desktop app
	$(CARGO) run $(DESKTOP_CARGO_ARGS)

# The tauri CLI starts Vite (beforeDevCommand in tauri.conf.json) and a dev-mode shell loading devUrl.
dev: $(UI_STAMP) | deps ## Launch the desktop app with a hot-reloading UI (Vite on :5173)
	cd $(UI) && TAURI_APP_PATH=../src-tauri $(NPM) exec -- tauri dev

# ---------------------------------------------------------------- everything

test: deps ui-check rust-check rust-test ui-e2e desktop-test ## Run every gate (what CI runs)
	@echo "make test: all gates passed"
