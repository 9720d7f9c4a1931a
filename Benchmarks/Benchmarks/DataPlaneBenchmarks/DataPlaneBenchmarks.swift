import Benchmark
import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraWire

/// Sender-key message encryption and decryption of a 256-byte message (issue 8): the ratchet step, the AEAD and the
/// payload encoding, without the frame signature (measured separately below, and in WireBenchmarks). The anchor is
/// bare XChaCha20-Poly1305 seal/open of 256 bytes through KalandraCrypto in the same run. Each measured iteration
/// does `scaledIterations` operations; fixtures are built outside the measured region.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )
    let fixture = Fixture()

    Benchmark("Encrypt 256 B (ratchet step + XChaCha20-Poly1305 + payload)") { benchmark in
        for _ in benchmark.scaledIterations {
            let sealed = try! fixture.sender.encrypt(
                fixture.plaintext,
                header: fixture.header,
                using: &fixture.generator
            )
            blackHole(sealed.payload.encoded())
        }
    }

    Benchmark("Decrypt 256 B (payload decode + ratchet step + XChaCha20-Poly1305)") { benchmark in
        precondition(benchmark.scaledIterations.count <= fixture.payloads.count, "too few prepared payloads")
        // A fresh receiver (a value copy) per batch, so each batch decrypts generations 0, 1, 2, … in order.
        var receiver = fixture.receiver
        for index in benchmark.scaledIterations {
            let payload = fixture.payloads[index].withUnsafeBytes { bytes in
                try! SenderKeyCiphertext(decoding: bytes, maximumByteCount: Limits.maximumFramePayloadBytes)
            }
            blackHole(try! receiver.decrypt(payload, authenticatedHeader: fixture.header))
        }
    }

    Benchmark("Ratchet step (keyed BLAKE2b-512)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SenderKeySchedule.step(chainKey: fixture.key))
        }
    }

    Benchmark("Anchor: XChaCha20-Poly1305 seal 256 B") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! XChaCha20Poly1305.seal(fixture.plaintext, key: fixture.key, nonce: fixture.nonce))
        }
    }

    Benchmark("Anchor: XChaCha20-Poly1305 open 256 B") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! XChaCha20Poly1305.open(fixture.anchorCiphertext, key: fixture.key, nonce: fixture.nonce))
        }
    }

    Benchmark(
        "Seal a signed frame (encrypt + Ed25519 sign)",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .one, maxDuration: .seconds(2))
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try! fixture.sender.seal(
                    fixture.plaintext,
                    senderID: SenderID(1),
                    timestamp: Timestamp(milliseconds: 1_795_000_000_000)!,
                    messageID: 1,
                    signingKey: fixture.signingKey,
                    using: &fixture.generator
                )
            )
        }
    }

    Benchmark(
        "Open a signed frame (Ed25519 verify + decrypt)",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .one, maxDuration: .seconds(2))
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            // A fresh receiver (a value copy) each time, so the frame's generation 0 is always the next one.
            var receiver = fixture.receiver
            blackHole(try! receiver.open(fixture.frame))
        }
    }
}

/// Two members of one room and epoch, with 1,000 prepared payloads and one signed frame from the first to the second.
final class Fixture: @unchecked Sendable {
    var generator = DeterministicGenerator(seed: 1)
    var sender: SenderKeyEpoch
    let receiver: SenderKeyEpoch
    let signingKey: SigningKey
    let header: FrameHeader
    let plaintext: [UInt8]
    let payloads: [[UInt8]]
    let frame: Frame
    let key: SecretBytes
    let nonce: [UInt8]
    let anchorCiphertext: [UInt8]

    init() {
        // Locals throughout: closures must not capture `self` before every member is set.
        var random = DeterministicGenerator(seed: 1)
        let base = SecretBytes(randomCount: 32, using: &random)
        let roomID = RoomID.random(using: &random)
        let ownKey = SigningKey.generate(using: &random)
        let other = SigningKey.generate(using: &random)
        let members = [LeafIndex(rawValue: 0)!: ownKey.verifyingKey, LeafIndex(rawValue: 1)!: other.verifyingKey]
        func state(_ leaf: UInt32) -> SenderKeyEpoch {
            SenderKeyEpoch(
                baseSecret: base,
                roomID: roomID,
                epoch: Epoch(7),
                ownLeaf: LeafIndex(rawValue: leaf)!,
                members: members
            )
        }
        let receiver = state(1)
        let header = receiver.header(
            senderID: SenderID(1),
            timestamp: Timestamp(milliseconds: 1_795_000_000_000)!,
            messageID: 1
        )
        let plaintext = (0..<256).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        var preparer = state(0)
        var payloads: [[UInt8]] = []
        for _ in 0..<1_000 {
            payloads.append(try! preparer.encrypt(plaintext, header: header, using: &random).payload.encoded())
        }
        var framer = state(0)
        frame = try! framer.seal(
            plaintext,
            senderID: SenderID(1),
            timestamp: Timestamp(milliseconds: 1_795_000_000_000)!,
            messageID: 1,
            signingKey: ownKey,
            using: &random
        ).frame
        let key = SecretBytes(randomCount: 32, using: &random)
        let nonce = (0..<24).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        anchorCiphertext = try! XChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce)
        self.receiver = receiver
        self.header = header
        self.plaintext = plaintext
        self.payloads = payloads
        self.signingKey = ownKey
        self.key = key
        self.nonce = nonce
        sender = state(0)
        generator = random
    }
}
