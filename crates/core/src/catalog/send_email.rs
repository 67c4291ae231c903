use super::*;

pub(super) fn descriptor() -> Descriptor {
    let multiline = FieldType::Template { multiline: true };
    Descriptor {
        fields: vec![
            field(
                "server",
                "Email server",
                FieldType::Text,
                "Which email server sends the message: the id of one of the servers set up in Settings → Email servers.",
            )
            .required(),
            field(
                "from",
                "From",
                template(),
                "The sender, e.g. Sales <sales@example.com>. Empty: the email server's sender.",
            ),
            field(
                "to",
                "To",
                template(),
                "One or more addresses separated by commas, e.g. Ada <ada@example.com>, bob@example.com",
            )
            .required(),
            field(
                "cc",
                "Cc",
                template(),
                "Addresses that get a copy, separated by commas. Everyone sees them.",
            ),
            field(
                "bcc",
                "Bcc",
                template(),
                "Addresses that get a hidden copy, separated by commas. The other recipients do not see them.",
            ),
            field(
                "reply_to",
                "Reply to",
                template(),
                "Where answers go when it is not the sender, e.g. support@example.com",
            ),
            field(
                "subject",
                "Subject",
                template(),
                "For example: Welcome, {{ event.name }}!",
            )
            .required(),
            field(
                "text",
                "Text",
                multiline.clone(),
                "The message as plain text. Fill in the text, the HTML, or both.",
            ),
            field(
                "html",
                "HTML",
                multiline,
                "The message as a web page (HTML). Email apps that cannot show HTML show the text instead.",
            ),
        ],
        output_keys: Some(
            ["message_id", "server", "from", "to", "cc", "bcc", "subject"]
                .map(String::from)
                .to_vec(),
        ),
        ..step(
            NodeKind::SendEmail,
            "Send email",
            Category::Actions,
            "Sends an email through one of the workspace's email servers.",
        )
    }
}
