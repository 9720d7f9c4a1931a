import KalandraCore
import KalandraMLS

/// Why the data plane refused a message or an operation. Each case says what was wrong with the input, in words an
/// operator can act on; none carries secret material.
public enum DataPlaneError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The frame's opcode is not `applicationMessage`.
    case wrongOpcode(found: UInt16)
    /// The frame belongs to another room than this state.
    case wrongRoom(expected: RoomID, found: RoomID)
    /// The frame's epoch is older than every epoch this state still holds keys for.
    case staleEpoch(found: Epoch, oldestHeld: Epoch)
    /// The frame's epoch is newer than this state's current epoch (the commit that starts it was not processed).
    case futureEpoch(found: Epoch, current: Epoch)
    /// The header's epoch differs from the epoch of the sender-key state asked to open it.
    case epochMismatch(expected: Epoch, found: Epoch)
    /// An epoch can only be entered once, in increasing order.
    case epochNotNewer(found: Epoch, current: Epoch)
    /// The payload names a leaf that holds no member in the frame's epoch.
    case unknownSender(leaf: UInt32)
    /// The payload names this member's own leaf: a member does not decrypt its own messages (it knows them).
    case ownMessage(generation: UInt32)
    /// The frame signature does not verify under the signature key of the leaf the payload names (a member
    /// impersonating another, or a modified frame).
    case badSignature(leaf: UInt32)
    /// The payload is shorter than the smallest valid sender-key ciphertext.
    case shortCiphertext(length: Int, minimum: Int)
    /// The payload is longer than the limit.
    case ciphertextTooLarge(length: Int, limit: Int)
    /// The plaintext is longer than the limit.
    case plaintextTooLarge(length: Int, limit: Int)
    /// The payload is not a sender-key ciphertext map (`reason` says which rule it broke).
    case malformedCiphertext(reason: String)
    /// The nonce in the payload does not have 24 bytes.
    case invalidNonceLength(found: Int)
    /// The generation was already used: a replay (its key was deleted when the first copy was decrypted).
    case replayedGeneration(UInt32)
    /// The generation is older than the window of skipped generations kept (its key was dropped).
    case generationExpired(UInt32, oldestRetained: UInt32)
    /// The generation is further ahead of the next expected one than the limit allows.
    case generationTooFarAhead(UInt32, next: UInt32, limit: UInt32)
    /// The sender's chain has produced its last generation; the sender must wait for a new epoch.
    case chainExhausted
    /// Decryption failed: the ciphertext, nonce or associated data were modified, or the key is wrong.
    case authenticationFailure
    /// The message's key was deleted (cryptographic erasure) or never stored.
    case messageKeyMissing(MessageKeyID)
    /// The message key store holds as many keys as its capacity allows.
    case keyStoreFull(capacity: Int)
    /// A member's signature key in the MLS tree is not a valid Ed25519 key (the data plane needs suites 1 or 3).
    case invalidMemberKey(leaf: UInt32)
    /// The MLS group refused an operation the data plane needed (exporter, signature key).
    case mls(String)

    public var description: String {
        switch self {
        case .wrongOpcode(let found): "opcode 0x\(String(found, radix: 16)) is not applicationMessage (0x0201)"
        case .wrongRoom(let expected, let found): "frame of room \(found) given to the state of room \(expected)"
        case .staleEpoch(let found, let oldest): "epoch \(found) is older than the oldest epoch held (\(oldest))"
        case .futureEpoch(let found, let current):
            "epoch \(found) is ahead of the current epoch \(current): process the commit first"
        case .epochMismatch(let expected, let found): "frame of epoch \(found) given to the state of epoch \(expected)"
        case .epochNotNewer(let found, let current): "epoch \(found) is not newer than the current epoch \(current)"
        case .unknownSender(let leaf): "leaf \(leaf) holds no member in this epoch"
        case .ownMessage(let generation): "generation \(generation) is this member's own message"
        case .badSignature(let leaf): "frame signature does not verify under the key of leaf \(leaf)"
        case .shortCiphertext(let length, let minimum):
            "sender-key ciphertext of \(length) bytes is shorter than the minimum of \(minimum)"
        case .ciphertextTooLarge(let length, let limit): "ciphertext of \(length) bytes is over the limit of \(limit)"
        case .plaintextTooLarge(let length, let limit): "plaintext of \(length) bytes is over the limit of \(limit)"
        case .malformedCiphertext(let reason): "sender-key ciphertext is malformed: \(reason)"
        case .invalidNonceLength(let found): "nonce has \(found) bytes; expected 24"
        case .replayedGeneration(let generation): "generation \(generation) was already decrypted (replay)"
        case .generationExpired(let generation, let oldest):
            "generation \(generation) is older than the oldest retained skipped generation \(oldest)"
        case .generationTooFarAhead(let generation, let next, let limit):
            "generation \(generation) is more than \(limit) ahead of the next expected generation \(next)"
        case .chainExhausted: "the sender chain has no generations left in this epoch"
        case .authenticationFailure: "decryption failed: the ciphertext, nonce or associated data do not match"
        case .messageKeyMissing(let id): "no key for \(id): the message was erased"
        case .keyStoreFull(let capacity): "the message key store is full (\(capacity) keys)"
        case .invalidMemberKey(let leaf): "the signature key of leaf \(leaf) is not an Ed25519 key"
        case .mls(let reason): "MLS: \(reason)"
        }
    }
}
