/// Protocol-wide size limits. Every size, count and queue in Kalandra has a limit; the ones shared by several modules
/// live here so that encoder and decoder agree.
public enum Limits {
    /// The largest frame payload a peer may send, in bytes (1 MiB). A frame declaring more is rejected before its payload
    /// is read.
    public static let maximumFramePayloadBytes = 1 << 20
}
