import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraWire
import NIOCore

extension RoomClient {
    /// The most deliveries kept ahead of a gap in the log.
    static let maximumAhead = 1_024

    /// A frame from the server.
    mutating func receive(_ frame: Frame, using generator: inout some RandomNumberGenerator) -> [RoomClientAction] {
        let header = frame.header
        guard header.roomID == roomID, header.flags.contains(.serverOrigin) else { return [] }
        switch header.opcode {
        case .accepted:
            guard let index = inFlight.firstIndex(where: { $0.messageID == header.messageID }) else { return [] }
            inFlight.remove(at: index)
            // The entry is in the log past what this client applied; its delivery is usually on the way, so the
            // next tick asks for catch-up only if it has not arrived by then.
            knownEnd = max(knownEnd, header.sequence)
            return []
        case .error:
            guard let rejection = try? RejectionPayload(decoding: frame) else { return [] }
            return refused(rejection)
        case .deliver:
            guard group != nil, let payload = try? DeliverPayload(decoding: frame) else { return [] }
            return deliver(
                sequence: header.sequence,
                frame: payload.frame,
                chainHash: payload.chainHash,
                using: &generator
            )
        case .catchUpComplete:
            // More to read: ask for the next batch at once if this one moved the client on; if it did not (the
            // entries could not be applied, or were lost), the next tick asks, so a faulty peer cannot make it spin.
            knownEnd = max(knownEnd, header.sequence)
            return header.sequence > lastSeen && lastSeen > lastSeenAtCatchUp ? catchUp() : []
        case .welcome:
            return welcomed(frame)
        default:
            return []
        }
    }

    /// A refusal: an epoch refusal re-queues what was refused (a message is sealed again, an intent re-issued, once
    /// this client has the new epoch); other refusals are reported.
    private mutating func refused(_ rejection: RejectionPayload) -> [RoomClientAction] {
        if rejection.code == .notAMember, rejection.messageID == lastCatchUpMessageID, group != nil {
            // The server no longer counts this client as a member: it was removed while it was not listening (the
            // log after its removal is not readable to it, so it cannot see the commit itself).
            hasLeft = true
            queue.removeAll()
            requeued.removeAll()
            inFlight.removeAll()
            return [.left(at: lastSeen)]
        }
        guard let index = inFlight.firstIndex(where: { $0.messageID == rejection.messageID }) else { return [] }
        if rejection.code == .overLimit {
            // The server is busy, not refusing the frame: it stays in flight and goes again, byte-identical (a new
            // frame could be admitted beside a retransmitted copy of this one).
            return []
        }
        let refused = inFlight.remove(at: index)
        switch rejection.code {
        case .staleEpoch, .futureEpoch:
            switch refused.origin {
            case .message(let plaintext): requeue(.message(plaintext), original: refused.messageID)
            case .proposal(let intent): requeue(.intent(intent), original: refused.messageID)
            case .redact(let target): requeue(.redact(target), original: refused.messageID)
            case .commit:
                // The winner's commit arrives in the log; processing it drops this one and re-issues the intent.
                inFlight.insert(refused, at: index)
            case .createRoom: break
            }
            // Sent again only once this client is in the epoch the server named (or after a while: the server may
            // have lost that epoch in a crash), or it would be refused again at once.
            if let current = rejection.currentEpoch, let group, current.rawValue > group.epoch {
                epochBarrier = (current, now)
            } else {
                epochBarrier = (Epoch(group.map { $0.epoch + 1 } ?? 0), now)
            }
            return recentlyCaughtUp ? [] : catchUp()
        default:
            if case .commit = refused.origin, var group, group.hasPendingCommit {
                group.discardPendingCommit()
                self.group = group
            }
            return [.rejected(rejection)]
        }
    }

    // MARK: The log

    /// A delivery: applied when it is the next position, kept when it is ahead of a gap (and catch-up asked for).
    private mutating func deliver(
        sequence: LogSequence,
        frame: [UInt8]?,
        chainHash: [UInt8],
        using generator: inout some RandomNumberGenerator
    ) -> [RoomClientAction] {
        guard sequence > lastSeen else { return [] }
        if sequence.rawValue > lastSeen.rawValue + 1 {
            if ahead.count < Self.maximumAhead { ahead[sequence.rawValue] = (frame, chainHash) }
            knownEnd = max(knownEnd, sequence)
            // One catch-up request per retransmission interval fills the gap; more would fetch the same entries.
            return recentlyCaughtUp ? [] : catchUp()
        }
        var actions = apply(sequence: sequence, frame: frame, chainHash: chainHash, using: &generator)
        while !hasLeft, let next = ahead.removeValue(forKey: lastSeen.rawValue + 1) {
            actions += apply(
                sequence: LogSequence(lastSeen.rawValue + 1),
                frame: next.frame,
                chainHash: next.chainHash,
                using: &generator
            )
        }
        ahead = ahead.filter { $0.key > lastSeen.rawValue }
        return actions
    }

    /// Applies the log entry at `sequence` (the next one): checks the chain, then follows what it carries.
    private mutating func apply(
        sequence: LogSequence,
        frame bytes: [UInt8]?,
        chainHash: [UInt8],
        using generator: inout some RandomNumberGenerator
    ) -> [RoomClientAction] {
        if let bytes, let previous = lastChainHash {
            guard LogChain.next(previous: previous, sequence: sequence, frame: bytes) == chainHash else {
                return [.logForked(at: sequence)]
            }
        }
        lastSeen = sequence
        lastChainHash = chainHash
        guard let bytes, let frame = try? Frame(decoding: ByteBuffer(bytes: bytes)) else { return [] }
        let ownFrame = frame.header.senderID == identity.senderID
        if ownFrame, let index = inFlight.firstIndex(where: { $0.messageID == frame.header.messageID }),
            !isCommit(inFlight[index])
        {
            inFlight.remove(at: index)
        }
        switch frame.header.opcode {
        case .applicationMessage:
            guard !ownFrame, var dataPlane else { return [] }
            guard let message = try? dataPlane.open(frame) else { return [] }
            self.dataPlane = dataPlane
            return [
                .delivered(
                    DeliveredMessage(
                        sequence: sequence,
                        epoch: frame.header.epoch,
                        senderLeaf: message.keyID.sender.rawValue,
                        senderCredential: group?.credential(at: message.keyID.sender),
                        plaintext: message.plaintext
                    )
                )
            ]
        case .proposal:
            guard var group, let message = handshakeMessage(frame) else { return [] }
            _ = try? group.process(message)
            self.group = group
            return []
        case .commit:
            guard let message = handshakeMessage(frame) else { return [] }
            return applyCommit(message, at: sequence, ownFrame: ownFrame, messageID: frame.header.messageID)
        case .redact:
            guard let payload = try? RedactPayload(decoding: frame) else { return [] }
            return [.redacted(payload.target)]
        default:
            return []
        }
    }

    private func isCommit(_ entry: InFlight) -> Bool {
        if case .commit = entry.origin { return true }
        return false
    }

    private func handshakeMessage(_ frame: Frame) -> MLSMessage? {
        guard let payload = try? HandshakePayload(decoding: frame) else { return nil }
        return try? MLSMessage.decode(payload.message)
    }

    /// A commit in the log: this client's own (confirmed) or another's (processed and merged; an own commit of the
    /// same epoch lost and its intent goes back to the front of the queue). Messages and proposals sent in the old
    /// epoch that the log did not take before the commit go back to the queue too, to be sent in the new epoch.
    private mutating func applyCommit(
        _ message: MLSMessage,
        at sequence: LogSequence,
        ownFrame: Bool,
        messageID: UInt32
    ) -> [RoomClientAction] {
        guard var group else { return [] }
        let oldEpoch = Epoch(group.epoch)
        var removed = false
        if ownFrame, let pending = group.pendingCommitMessage, pending.encoded() == message.encoded() {
            guard (try? group.confirmPendingCommit()) != nil else { return [] }
        } else {
            do {
                let processed = try group.process(message)
                guard case .commit(let staged) = processed.content else { return [] }
                removed = staged.removesSelf
                try group.merge(staged)
            } catch {
                return [.rejected(RejectionPayload(code: .invalidHandshake, detail: "\(error)", messageID: 0))]
            }
        }
        self.group = group
        // Everything sent in the old epoch and not in the log by now was not admitted before the commit.
        for entry in inFlight where entry.epoch == oldEpoch {
            switch entry.origin {
            case .message(let plaintext): requeue(.message(plaintext), original: entry.messageID)
            case .proposal(let intent): requeue(.intent(intent), original: entry.messageID)
            case .commit(let intent):
                if !(ownFrame && entry.messageID == messageID) { requeue(.intent(intent), original: entry.messageID) }
            case .redact(let target): requeue(.redact(target), original: entry.messageID)
            case .createRoom: break
            }
        }
        inFlight.removeAll { $0.epoch == oldEpoch }
        if removed || !group.isActive {
            hasLeft = true
            queue.removeAll()
            requeued.removeAll()
            inFlight.removeAll()
            return [.left(at: sequence)]
        }
        do {
            if var dataPlane {
                try dataPlane.enter(try SenderKeyEpoch(group: group, roomID: roomID))
                self.dataPlane = dataPlane
            }
        } catch {
            return [.rejected(RejectionPayload(code: .invalidHandshake, detail: "\(error)", messageID: 0))]
        }
        return [.epochChanged(Epoch(group.epoch), treeHash: group.tree.treeHash)]
    }

    /// A Welcome: joins with the KeyPackage it names, then reads the log after the commit that added this client.
    private mutating func welcomed(_ frame: Frame) -> [RoomClientAction] {
        guard group == nil, let payload = try? WelcomePayload(decoding: frame),
            let welcome = try? Welcome.decode(payload.welcome)
        else { return [] }
        let references = Set(welcome.secrets.map(\.newMember))
        guard
            let bundle = keyPackages.first(where: {
                references.contains($0.keyPackage.reference(provider: identity.provider))
            })
        else { return [] }
        do {
            let group = try MLSGroup.join(
                welcome: welcome,
                keyPackage: bundle.keyPackage,
                initPrivateKey: bundle.initPrivateKey,
                leafPrivateKey: bundle.encryptionPrivateKey,
                signaturePrivateKey: identity.signatureKeys.privateKey
            )
            self.group = group
            dataPlane = RoomDataPlane(initial: try SenderKeyEpoch(group: group, roomID: roomID))
        } catch {
            return [.rejected(RejectionPayload(code: .invalidHandshake, detail: "Welcome: \(error)", messageID: 0))]
        }
        keyPackages.removeAll()
        lastSeen = frame.header.sequence
        lastChainHash = payload.chainHash
        ahead = ahead.filter { $0.key > lastSeen.rawValue }
        return [.joined(Epoch(group!.epoch))] + catchUp()
    }
}
