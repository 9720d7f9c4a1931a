import KalandraCBOR
import KalandraCore

/// The `push_keys` header extension: an entry of an application message's CBOR payload map,
/// `"push_keys": {"epoch": uint, "key_id": uint}`, naming the notification key (room from the frame header) that
/// sealed the message's push envelope. The server copies nothing from it; the receiving main client uses it to check
/// that its exported cache holds that key (and re-exports if not), and the push gateway may route on it without
/// learning anything secret: the key ID is a keyed fingerprint (``NotificationKey``).
public struct PushKeysExtension: Sendable, Equatable {
    /// The payload map key.
    public static let mapKey = "push_keys"

    /// The epoch of the notification key.
    public var epoch: Epoch
    /// The notification key's fingerprint.
    public var keyID: UInt32

    /// The extension for `key`.
    public init(key: NotificationKey) {
        self.init(epoch: key.epoch, keyID: key.keyID)
    }

    /// An extension from its fields.
    public init(epoch: Epoch, keyID: UInt32) {
        self.epoch = epoch
        self.keyID = keyID
    }

    /// The payload map entry.
    public var mapEntry: CBOR.MapEntry {
        CBOR.MapEntry(
            key: .textString(Self.mapKey),
            value: .map([
                CBOR.MapEntry(key: .textString("epoch"), value: .unsignedInteger(epoch.rawValue)),
                CBOR.MapEntry(key: .textString("key_id"), value: .unsignedInteger(UInt64(keyID))),
            ])
        )
    }

    /// The extension in a message payload map: `nil` when the payload has no `push_keys` entry, an error when the
    /// entry is there but malformed (not a map of exactly `epoch` and a 32-bit `key_id`).
    public init?(payload: CBOR) throws(PushKeysError) {
        guard let value = payload[.textString(Self.mapKey)] else { return nil }
        guard let entries = value.mapValue, entries.count == 2,
            let epoch = value[.textString("epoch")]?.unsignedIntegerValue,
            let keyID = value[.textString("key_id")]?.unsignedIntegerValue, keyID <= UInt32.max
        else { throw PushKeysError() }
        self.init(epoch: Epoch(epoch), keyID: UInt32(keyID))
    }
}

/// A `push_keys` entry that is not a map of exactly `epoch` and a 32-bit `key_id`.
public struct PushKeysError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error.
    public init() {}

    public var description: String { "push_keys is not a map of exactly epoch and a 32-bit key_id" }
}
