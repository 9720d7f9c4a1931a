/// Settings of one member's view of a group that the protocol leaves to the application (RFC 9420 §6, §9.1, §12.4.3).
/// They are local: two members of a group may choose differently, except that every member must accept the wire
/// format the others send handshakes in.
public struct GroupConfiguration: Sendable, Equatable {
    /// How this member sends proposals and commits (§6): in the clear and signed, so a server can check them
    /// (Kalandra's sequencer needs this), or encrypted.
    public enum HandshakeWireFormat: UInt8, Sendable, Equatable {
        /// PublicMessage: signed, with a membership tag; readable by the delivery service.
        case publicMessage = 1
        /// PrivateMessage: encrypted with the handshake ratchet of the secret tree.
        case privateMessage = 2
    }

    /// The wire format of the proposals and commits this member sends. Both formats are accepted on receipt.
    public var handshakeWireFormat: HandshakeWireFormat
    /// How many past epochs keep their secret trees for application messages that arrive late (§14). 0 keeps none;
    /// at most `maximumPastEpochCount`.
    public var pastEpochCount: Int
    /// The most past epochs a group keeps: each holds a tree and a secret tree.
    public static let maximumPastEpochCount = 64
    /// Bounds on skipped and retained generations of each sender's ratchets (§9.1).
    public var ratchetLimits: RatchetLimits
    /// Whether Welcomes and GroupInfos carry the `ratchet_tree` extension; without it new members need the tree
    /// out of band (§12.4.3.3).
    public var ratchetTreeInWelcome: Bool
    /// Whether published GroupInfos carry the `external_pub` extension, which lets a non-member join by an
    /// external commit (§12.4.3.2).
    public var allowExternalCommits: Bool
    /// The most proposals of the current epoch this member holds for a later commit; more are refused.
    public var maximumPendingProposals: Int
    /// Zero bytes added to each PrivateMessage's content (§6.3.1), to hide its length.
    public var paddingCount: Int
    /// The largest tree this member accepts from a Welcome or builds by Adds, in leaves.
    public var maximumLeafCount: UInt32

    /// Settings: PublicMessage handshakes, three past epochs, the default ratchet limits, the ratchet tree in
    /// Welcomes, external commits allowed, 1,000 pending proposals, no padding, trees up to 65,536 leaves.
    public init(
        handshakeWireFormat: HandshakeWireFormat = .publicMessage,
        pastEpochCount: Int = 3,
        ratchetLimits: RatchetLimits = .default,
        ratchetTreeInWelcome: Bool = true,
        allowExternalCommits: Bool = true,
        maximumPendingProposals: Int = 1_000,
        paddingCount: Int = 0,
        maximumLeafCount: UInt32 = RatchetTreeState.defaultMaximumLeafCount
    ) {
        self.handshakeWireFormat = handshakeWireFormat
        self.pastEpochCount = min(max(0, pastEpochCount), Self.maximumPastEpochCount)
        self.ratchetLimits = ratchetLimits
        self.ratchetTreeInWelcome = ratchetTreeInWelcome
        self.allowExternalCommits = allowExternalCommits
        self.maximumPendingProposals = max(0, maximumPendingProposals)
        self.paddingCount = paddingCount
        self.maximumLeafCount = maximumLeafCount
    }

    /// The defaults.
    public static let `default` = GroupConfiguration()
}
