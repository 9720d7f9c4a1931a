import KalandraCore
import KalandraMLS
import KalandraWire

extension RoomSequencer {
    /// The most entries one catch-up answer carries; the client asks again from where it got to.
    public static let catchUpBatch = 256

    /// Checks a `catchUpRequest`: the room, the requester's leaf a member of the current epoch, its sender ID and
    /// the signature. Returns the position to read after. A member removed from the room cannot read it any more.
    public func authorizeCatchUp(_ frame: Frame) throws(SequencerRejection) -> LogSequence {
        guard frame.header.roomID == roomID else {
            throw SequencerRejection(.wrongRoom, "frame for room \(frame.header.roomID) sent to room \(roomID)")
        }
        guard frame.header.opcode == .catchUpRequest else {
            throw SequencerRejection(.unsupportedOpcode, "\(frame.header.opcode) is not a catch-up request")
        }
        let payload: CatchUpPayload
        do { payload = try CatchUpPayload(decoding: frame) } catch { throw SequencerRejection(.malformed, "\(error)") }
        // Membership as of the durable log: a removal that a crash could still take back must not show yet.
        guard let leafIndex = LeafIndex(rawValue: payload.leaf), let leaf = durableGroup.leafNode(at: leafIndex) else {
            throw SequencerRejection(.notAMember, "leaf \(payload.leaf) holds no member")
        }
        try Self.checkSigner(frame, key: leaf.signatureKey.bytes)
        return frame.header.sequence
    }

    /// The `error` frame refusing a catch-up request, so a member removed while offline learns that it was.
    public func catchUpRefusal(_ rejection: SequencerRejection, messageID: UInt32, now: Timestamp) -> Frame {
        signedServerFrame(
            .error,
            sequence: .unsequenced,
            messageID: messageID,
            now: now,
            payload: RejectionPayload(code: rejection.code, detail: rejection.detail, messageID: messageID).cbor
        )
    }

    /// The `catchUpComplete` frame: the header's sequence is the last durable position, so the client knows whether
    /// to ask again.
    public func catchUpComplete(messageID: UInt32, now: Timestamp) -> Frame {
        signedServerFrame(.catchUpComplete, sequence: durableSequence, messageID: messageID, now: now)
    }
}
