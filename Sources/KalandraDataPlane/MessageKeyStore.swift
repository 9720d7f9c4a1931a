import KalandraCore
import KalandraCrypto
import KalandraWire
import NIOCore

/// Where a client keeps the message keys of the messages it keeps, apart from the stored ciphertexts: deleting a
/// message deletes its key, and without the key the stored ciphertext is noise (cryptographic erasure). The
/// ratchet deleted the key when the message arrived, so this store holds the only copy.
public protocol MessageKeyStore {
    /// Stores `key` under `id`, replacing any key held there.
    mutating func insert(_ key: SecretBytes, for id: MessageKeyID) throws(DataPlaneError)
    /// The key stored under `id`.
    func key(for id: MessageKeyID) -> SecretBytes?
    /// Deletes the key under `id`; returns whether one was held.
    @discardableResult mutating func removeKey(for id: MessageKeyID) -> Bool
}

extension MessageKeyStore {
    /// The plaintext of a stored `applicationMessage` frame (verified when it arrived), with the key this store
    /// holds for it; `messageKeyMissing` once the message was erased.
    public func open(
        storedFrame frame: Frame,
        maximumByteCount: Int = Limits.maximumFramePayloadBytes
    )
        throws(DataPlaneError) -> [UInt8]
    {
        let header = frame.header
        guard header.opcode == .applicationMessage else { throw .wrongOpcode(found: header.opcode.rawValue) }
        let payload = try frame.payload.withUnsafeReadableBytes { bytes throws(DataPlaneError) in
            try SenderKeyCiphertext(decoding: bytes, maximumByteCount: maximumByteCount)
        }
        let id = MessageKeyID(
            roomID: header.roomID,
            epoch: header.epoch,
            sender: payload.sender,
            generation: payload.generation
        )
        guard let key = key(for: id) else { throw .messageKeyMissing(id) }
        return try MessageProtection.open(payload, key: key, header: header)
    }
}

/// A message key store in memory, bounded by `capacity`; keys are zeroised when removed (`SecretBytes`).
public struct InMemoryMessageKeyStore: MessageKeyStore, Sendable {
    /// The most keys held at once.
    public let capacity: Int
    private var keys: [MessageKeyID: SecretBytes] = [:]

    /// An empty store for at most `capacity` keys.
    public init(capacity: Int = 1_000_000) {
        precondition(capacity > 0, "a key store holds at least one key")
        self.capacity = capacity
    }

    /// The number of keys held.
    public var count: Int { keys.count }

    public mutating func insert(_ key: SecretBytes, for id: MessageKeyID) throws(DataPlaneError) {
        guard keys[id] != nil || keys.count < capacity else { throw .keyStoreFull(capacity: capacity) }
        keys[id] = key
    }

    public func key(for id: MessageKeyID) -> SecretBytes? { keys[id] }

    @discardableResult public mutating func removeKey(for id: MessageKeyID) -> Bool {
        keys.removeValue(forKey: id) != nil
    }
}
