/// The header's flag byte. Bits not defined here are reserved: a sender sets them to zero and a receiver rejects a
/// frame that has any of them set (`FrameError.reservedFlagsSet`), so they can be given a meaning later.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The sender sent a frame with this (sender, message ID) before and is retrying it; a receiver that has it
    /// answers with the original outcome instead of processing it twice.
    public static let retransmission = FrameFlags(rawValue: 1 << 0)
    /// The sender ID names a server key rather than a client device key.
    public static let serverOrigin = FrameFlags(rawValue: 1 << 1)

    /// Every defined bit; the rest are reserved.
    public static let defined: FrameFlags = [.retransmission, .serverOrigin]
}
