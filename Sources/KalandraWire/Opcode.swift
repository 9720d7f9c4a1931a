/// What a frame carries. The table, with directions and payload schemas, is in docs/PROTOCOL.md; a value not listed
/// here is rejected as `FrameError.unknownOpcode`.
public enum Opcode: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    // Session (0x00xx)
    /// Client → server: opens a session; proves possession of a registered device key.
    case hello = 0x0001
    /// Server → client: the session is open.
    case helloAccepted = 0x0002
    /// Either direction: liveness probe.
    case ping = 0x0003
    /// Either direction: answer to a ping.
    case pong = 0x0004
    /// Server → client: a frame was rejected, with a typed reason and the rejected frame's message ID.
    case error = 0x0005
    /// Either direction: the peer is closing the session.
    case goodbye = 0x0006

    // Rooms and MLS handshake (0x01xx)
    /// Client → server: publish MLS KeyPackages.
    case keyPackageUpload = 0x0101
    /// Client → server: fetch a KeyPackage of a user, to add them.
    case keyPackageRequest = 0x0102
    /// Server → client: the requested KeyPackage.
    case keyPackageResponse = 0x0103
    /// Client → server: create a room (the sender's server becomes its authority).
    case createRoom = 0x0104
    /// Client → server: an MLS proposal (PublicMessage) for the room's current epoch.
    case proposal = 0x0105
    /// Client → server: an MLS commit (PublicMessage), with a Welcome when it adds members.
    case commit = 0x0106
    /// Server → client: an MLS Welcome addressed to this client.
    case welcome = 0x0107
    /// Either direction: a room's MLS GroupInfo, for external joins.
    case groupInfo = 0x0108

    // Messages (0x02xx)
    /// Client → server: an application message encrypted with the sender's key of the epoch.
    case applicationMessage = 0x0201
    /// Server → client: the frame with this message ID was made durable at the header's log sequence.
    case accepted = 0x0202
    /// Server → client: a sequenced frame of a room; the payload holds the original signed frame.
    case deliver = 0x0203
    /// Client → server: send every frame of the room after the header's log sequence.
    case catchUpRequest = 0x0204
    /// Server → client: catch-up has reached the end of the log.
    case catchUpComplete = 0x0205
    /// Client → server: securely delete a message of the room (cryptographic erasure).
    case redact = 0x0206

    // Moderation (0x03xx)
    /// Server → members: a server-signed moderation action with its audit record.
    case moderationAction = 0x0301

    // Federation (0x04xx)
    /// Server → server: a frame counter-signed by the origin server and the room's authority.
    case federatedFrame = 0x0401
    /// Server → server: the room's authority asks a peer to take over; the room turns read-only.
    case handoverPrepare = 0x0402
    /// Server → server: the signed certificate that moves a room's authority.
    case handoverCertificate = 0x0403
    /// Server → server: the current authority record of a room.
    case authorityRecord = 0x0404

    /// The case name.
    public var description: String {
        switch self {
        case .hello: "hello"
        case .helloAccepted: "helloAccepted"
        case .ping: "ping"
        case .pong: "pong"
        case .error: "error"
        case .goodbye: "goodbye"
        case .keyPackageUpload: "keyPackageUpload"
        case .keyPackageRequest: "keyPackageRequest"
        case .keyPackageResponse: "keyPackageResponse"
        case .createRoom: "createRoom"
        case .proposal: "proposal"
        case .commit: "commit"
        case .welcome: "welcome"
        case .groupInfo: "groupInfo"
        case .applicationMessage: "applicationMessage"
        case .accepted: "accepted"
        case .deliver: "deliver"
        case .catchUpRequest: "catchUpRequest"
        case .catchUpComplete: "catchUpComplete"
        case .redact: "redact"
        case .moderationAction: "moderationAction"
        case .federatedFrame: "federatedFrame"
        case .handoverPrepare: "handoverPrepare"
        case .handoverCertificate: "handoverCertificate"
        case .authorityRecord: "authorityRecord"
        }
    }
}
