import Benchmark
import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraWire
import NIOCore

/// Frame codec benchmarks. Each benchmark does `scaledIterations` operations per measured iteration, so the
/// throughput metric reads as operations per second. Fixtures are built outside the measured region.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .instructions],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    var generator = DeterministicGenerator(seed: 1)
    let key = SigningKey.generate(using: &generator)
    let body = (0..<232).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    // A 256-byte CBOR payload: a two-entry map around a 232-byte body.
    let payload: CBOR = .map([
        CBOR.MapEntry(key: .textString("body"), value: .byteString(body)),
        CBOR.MapEntry(key: .textString("generation"), value: .unsignedInteger(1_000_000)),
    ])
    let header = FrameHeader(
        opcode: .applicationMessage,
        roomID: .random(using: &generator),
        senderID: SenderID(42),
        epoch: Epoch(7),
        timestamp: Timestamp(milliseconds: 1_795_000_000_000)!,
        messageID: 1
    )
    let frame = try! Frame.signed(header: header, payload: payload, key: key)
    precondition(frame.payload.readableBytes == 256, "the benchmark payload is 256 bytes")
    var encodedBuffer = ByteBuffer()
    frame.encode(into: &encodedBuffer)
    let encoded = encodedBuffer

    Benchmark("Header parse") { benchmark in
        encoded.withUnsafeReadableBytes { bytes in
            for _ in benchmark.scaledIterations {
                blackHole(try! FrameHeader(parsing: bytes))
            }
        }
    }

    Benchmark("Frame decode (header + 256-byte CBOR payload)") { benchmark in
        for _ in benchmark.scaledIterations {
            let decoded = try! Frame(decoding: encoded)
            blackHole(try! decoded.decodePayload())
        }
    }

    Benchmark("Frame encode (into a reused buffer)") { benchmark in
        var output = ByteBuffer()
        output.reserveCapacity(1024)
        for _ in benchmark.scaledIterations {
            output.clear()
            frame.encode(into: &output)
            blackHole(output.writerIndex)
        }
    }

    Benchmark("CBOR encode (256-byte payload)") { benchmark in
        var output: [UInt8] = []
        output.reserveCapacity(512)
        for _ in benchmark.scaledIterations {
            output.removeAll(keepingCapacity: true)
            CBOREncoder.encode(payload, into: &output)
            blackHole(output.count)
        }
    }

    Benchmark("Frame sign", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! Frame.signed(header: header, payload: frame.payload, key: key))
        }
    }

    Benchmark("Frame verify", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            try! frame.verifySignature(with: key.verifyingKey)
        }
    }

    // Anchor: a bare Ed25519 verification of the same number of bytes, to separate our overhead from the primitive.
    let message = Frame.signedMessage(header: frame.header, payload: frame.payload)
    Benchmark("Anchor: Ed25519 verify (336 bytes)", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(key.verifyingKey.isValidSignature(frame.header.signature, for: message))
        }
    }
}
