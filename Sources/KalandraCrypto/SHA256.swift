import Crypto
import KalandraCore

/// SHA-256 (swift-crypto) for the few places outside MLS that hash: sender IDs and the room log's chain.
public enum SHA256Hash {
    /// SHA-256 of the concatenation of `parts`, without concatenating them.
    public static func digest(_ parts: [UInt8]...) -> [UInt8] {
        var hasher = SHA256()
        for part in parts { hasher.update(data: part) }
        return Array(hasher.finalize())
    }
}

extension SenderID {
    /// The sender ID of a member's room frames: the first 8 bytes, big-endian, of SHA-256("kalandra sender id" ‖
    /// the member's Ed25519 signature key). The sequencer requires it, so a member cannot use another's message IDs.
    public init(signatureKey: [UInt8]) {
        let digest = SHA256Hash.digest(Self.derivationLabel, signatureKey)
        self.init(digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) })
    }

    static let derivationLabel = Array("kalandra sender id".utf8)
}
