import KalandraCBOR

/// What a notification shows, before encryption: the CBOR map
/// `{"sender": text, "preview": bytes, "message_id": uint}` (deterministic encoding, exactly these keys).
public struct NotificationBody: Sendable, Equatable {
    /// The most bytes of UTF-8 in ``senderHint``.
    public static let maximumSenderHintBytes = 128
    /// The most bytes in ``preview``.
    public static let maximumPreviewBytes = 2048

    /// A display hint for the sender (a name the extension may show; not authenticated as the sender's identity).
    public var senderHint: String
    /// The first bytes of the message, as the sender chose to show them.
    public var preview: [UInt8]
    /// The frame's message ID, so the main client can match the notification to the message it later receives.
    public var messageID: UInt32

    /// A body; the sizes are checked when it is sealed (``NotificationEnvelope/seal(body:key:nonce:)``).
    public init(senderHint: String, preview: [UInt8], messageID: UInt32) {
        self.senderHint = senderHint
        self.preview = preview
        self.messageID = messageID
    }

    /// Whether the sizes are within the limits.
    var isWithinLimits: Bool {
        senderHint.utf8.count <= Self.maximumSenderHintBytes && preview.count <= Self.maximumPreviewBytes
    }

    /// The deterministic CBOR encoding.
    func encoded() -> [UInt8] {
        CBOREncoder.encode(
            .map([
                CBOR.MapEntry(key: .textString("sender"), value: .textString(senderHint)),
                CBOR.MapEntry(key: .textString("preview"), value: .byteString(preview)),
                CBOR.MapEntry(key: .textString("message_id"), value: .unsignedInteger(UInt64(messageID))),
            ])
        )
    }

    /// The body in `bytes` (decrypted plaintext): strict CBOR, exactly the three keys, each of its type and size.
    init(decoding bytes: [UInt8]) throws(NotificationEnvelopeError) {
        let limits = CBORDecoder.Limits(maximumDepth: 2, maximumItemCount: 8, maximumLength: Self.maximumPreviewBytes)
        let value: CBOR
        do {
            value = try CBORDecoder(limits: limits, mode: .strict).decode(bytes)
        } catch {
            throw .malformedBody("not deterministic CBOR within limits: \(error)")
        }
        guard let entries = value.mapValue, entries.count == 3 else {
            throw .malformedBody("not a map of exactly sender, preview and message_id")
        }
        guard let sender = value[.textString("sender")]?.textStringValue,
            sender.utf8.count <= Self.maximumSenderHintBytes
        else { throw .malformedBody("sender is missing, not text or over \(Self.maximumSenderHintBytes) bytes") }
        guard let preview = value[.textString("preview")]?.byteStringValue else {
            throw .malformedBody("preview is missing or not a byte string")
        }
        guard let messageID = value[.textString("message_id")]?.unsignedIntegerValue, messageID <= UInt32.max else {
            throw .malformedBody("message_id is missing or not a 32-bit unsigned integer")
        }
        self.init(senderHint: sender, preview: preview, messageID: UInt32(messageID))
    }
}
