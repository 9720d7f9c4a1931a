import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraWire
import NIOCore
import Testing

@Suite struct SenderKeyEpochTests {
    @Test func membersReadEachOthersMessages() throws {
        var room = PureRoom()
        var alice = room.state(of: 0)
        var bob = room.state(of: 1)
        var carol = room.state(of: 2)
        for index in 0..<5 {
            let sealed = try room.seal("hello \(index)", from: 0, state: &alice)
            #expect(sealed.frame.header.opcode == .applicationMessage)
            #expect(try bob.open(sealed.frame).text == "hello \(index)")
            #expect(try carol.open(sealed.frame).text == "hello \(index)")
        }
        let reply = try room.seal("hi", from: 1, state: &bob)
        let opened = try alice.open(reply.frame)
        #expect(opened.text == "hi")
        #expect(
            opened.keyID == MessageKeyID(roomID: PureRoom.roomID, epoch: PureRoom.epoch, sender: leaf(1), generation: 0)
        )
        #expect(opened.messageKey == reply.messageKey)
    }

    @Test func framesSurviveTheWire() throws {
        var room = PureRoom()
        var alice = room.state(of: 0)
        var bob = room.state(of: 1)
        let sealed = try room.seal("over the wire", from: 0, state: &alice)
        var buffer = ByteBuffer()
        sealed.frame.encode(into: &buffer)
        #expect(try bob.open(Frame(decoding: buffer)).text == "over the wire")
    }

    /// Bob holds the epoch's base secret, so he can derive Alice's chain and encrypt "as Alice"; the frame he signs
    /// with his own key fails verification against Alice's leaf key, before anything is decrypted.
    @Test func aMemberCannotImpersonateAnother() throws {
        var room = PureRoom()
        var carol = room.state(of: 2)
        // Bob's forgery: Alice's chain key, derived from the base secret he holds.
        var aliceChain = SenderChain(
            chainKey: SenderKeySchedule.initialChainKey(
                baseSecret: room.baseSecret,
                leaf: leaf(0),
                epoch: PureRoom.epoch
            )
        )
        let (generation, key) = try aliceChain.nextSendingKey()
        let header = carol.header(senderID: SenderID(100), timestamp: Timestamp(milliseconds: 1)!, messageID: 0)
        let payload = MessageProtection.seal(
            Array("I am Alice".utf8),
            key: key,
            header: header,
            sender: leaf(0),
            generation: generation,
            using: &room.generator
        )
        let forged = try Frame.signed(
            header: header,
            payload: ByteBuffer(bytes: payload.encoded()),
            key: room.signingKeys[1]
        )
        #expect(throws: DataPlaneError.badSignature(leaf: 0)) { try carol.open(forged) }
        // The forgery burned nothing: Alice's real generation 0 still decrypts.
        #expect(carol.nextGeneration(from: leaf(0)) == 0)
        var alice = room.state(of: 0)
        #expect(try carol.open(room.seal("the real Alice", from: 0, state: &alice).frame).text == "the real Alice")
        // The payload itself was a valid encryption under Alice's key: only the signature stopped it.
        var fresh = room.state(of: 2)
        #expect(try fresh.decrypt(payload, authenticatedHeader: forged.header).plaintext == Array("I am Alice".utf8))
    }

    @Test func theAssociatedDataBindsRoutingFields() throws {
        var room = PureRoom()
        var alice = room.state(of: 0)
        let sealed = try room.seal("bound", from: 0, state: &alice)
        let payload = try sealed.frame.payload.withUnsafeReadableBytes { bytes in
            try SenderKeyCiphertext(decoding: bytes, maximumByteCount: 1 << 20)
        }
        let header = sealed.frame.header
        var otherSender = header
        otherSender.senderID = SenderID(999)
        var bob = room.state(of: 1)
        #expect(throws: DataPlaneError.authenticationFailure) {
            try bob.decrypt(payload, authenticatedHeader: otherSender)
        }
        var otherGeneration = payload
        otherGeneration.generation = 1
        #expect(throws: DataPlaneError.authenticationFailure) {
            try bob.decrypt(otherGeneration, authenticatedHeader: header)
        }
        var otherLeaf = payload
        otherLeaf.sender = leaf(2)
        #expect(throws: DataPlaneError.authenticationFailure) {
            try bob.decrypt(otherLeaf, authenticatedHeader: header)
        }
        var flipped = payload
        flipped.sealed[0] ^= 1
        #expect(throws: DataPlaneError.authenticationFailure) { try bob.decrypt(flipped, authenticatedHeader: header) }
        // None of the failures consumed generation 0.
        #expect(try bob.decrypt(payload, authenticatedHeader: header).text == "bound")
        #expect(throws: DataPlaneError.replayedGeneration(0)) { try bob.decrypt(payload, authenticatedHeader: header) }
    }

    @Test func routingAndSenderErrors() throws {
        var room = PureRoom()
        var alice = room.state(of: 0)
        var bob = room.state(of: 1)
        let sealed = try room.seal("x", from: 0, state: &alice)
        #expect(throws: DataPlaneError.ownMessage(generation: 0)) { try alice.open(sealed.frame) }
        #expect(throws: DataPlaneError.replayedGeneration(0)) {
            _ = try bob.open(sealed.frame)
            _ = try bob.open(sealed.frame)
        }
        // Re-signed under other headers by Alice herself: the state refuses them before decrypting.
        func resigned(_ change: (inout FrameHeader) -> Void) throws -> Frame {
            var header = sealed.frame.header
            change(&header)
            return try Frame.signed(header: header, payload: sealed.frame.payload, key: room.signingKeys[0])
        }
        var carol = room.state(of: 2)
        #expect(throws: DataPlaneError.wrongOpcode(found: Opcode.proposal.rawValue)) {
            try carol.open(resigned { $0.opcode = .proposal })
        }
        let otherRoom = RoomID(high: 1, low: 1)
        #expect(throws: DataPlaneError.wrongRoom(expected: PureRoom.roomID, found: otherRoom)) {
            try carol.open(resigned { $0.roomID = otherRoom })
        }
        #expect(throws: DataPlaneError.epochMismatch(expected: PureRoom.epoch, found: Epoch(4))) {
            try carol.open(resigned { $0.epoch = Epoch(4) })
        }
        // A frame from a leaf outside the epoch.
        var outsider = PureRoom(memberCount: 4)
        var dave = outsider.state(of: 3)
        let fromDave = try outsider.seal("x", from: 3, state: &dave)
        #expect(throws: DataPlaneError.unknownSender(leaf: 3)) { try carol.open(fromDave.frame) }
        // Short and garbage payloads.
        let short = try Frame.signed(
            header: sealed.frame.header,
            payload: ByteBuffer(bytes: [0xA0]),
            key: room.signingKeys[0]
        )
        #expect(throws: DataPlaneError.shortCiphertext(length: 1, minimum: SenderKeyCiphertext.minimumByteCount)) {
            try carol.open(short)
        }
        let limits = SenderKeyLimits(maximumSkippedGenerations: 10, maximumForwardJump: 10, maximumPlaintextBytes: 8)
        var small = room.state(of: 0, limits: limits)
        #expect(throws: DataPlaneError.plaintextTooLarge(length: 9, limit: 8)) {
            try small.seal(
                Array(repeating: 0, count: 9),
                senderID: SenderID(1),
                timestamp: Timestamp(milliseconds: 1)!,
                messageID: 0,
                signingKey: room.signingKeys[0],
                using: &room.generator
            )
        }
    }

    @Test func aJumpTooFarIsRefused() throws {
        var room = PureRoom()
        let limits = SenderKeyLimits(maximumSkippedGenerations: 5, maximumForwardJump: 20, maximumPlaintextBytes: 100)
        var alice = room.state(of: 0, limits: limits)
        var bob = room.state(of: 1, limits: limits)
        var frames: [Frame] = []
        for index in 0..<30 { frames.append(try room.seal("m\(index)", from: 0, state: &alice).frame) }
        #expect(throws: DataPlaneError.generationTooFarAhead(21, next: 0, limit: 20)) { try bob.open(frames[21]) }
        #expect(try bob.open(frames[20]).text == "m20")
        #expect(throws: DataPlaneError.generationExpired(14, oldestRetained: 15)) { try bob.open(frames[14]) }
        #expect(try bob.open(frames[15]).text == "m15")
        #expect(try bob.open(frames[29]).text == "m29")
    }
}
