import ArgumentParser
import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraWire
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Builds, signs, encodes, decodes and verifies frames, shows one annotated, shows what tampering and malformed input
/// do, and measures a round trip. Everything is derived from the seed, so two runs print the same frames.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build, sign, encode, decode and verify wire frames, and show how bad input is refused."
    )

    @Option(help: "Number of frames to send through the codec.")
    var frames: Int = 10_000

    @Option(help: "Seed for keys, rooms and message bodies.")
    var seed: UInt64 = 1

    func validate() throws {
        guard (1...1_000_000).contains(frames) else { throw ValidationError("--frames must be in 1...1000000") }
    }

    func run() throws {
        var generator = DeterministicGenerator(seed: seed)
        let device = SigningKey.generate(using: &generator)
        let room = RoomID.random(using: &generator)
        print("device key \(Hex.encode(device.verifyingKey.bytes))")
        print("room       \(room)")

        let first = try makeFrame(index: 0, room: room, key: device, generator: &generator)
        print("\none application-message frame, \(first.byteCount) bytes:")
        printAnnotated(first)

        try showTampering(first, key: device)
        showMalformedInput(first)
        try roundTrip(room: room, key: device, generator: &generator)
    }

    private func makeFrame(
        index: Int,
        room: RoomID,
        key: SigningKey,
        generator: inout DeterministicGenerator
    ) throws
        -> Frame
    {
        let body = (0..<200).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let payload: CBOR = .map([
            CBOR.MapEntry(key: .textString("body"), value: .byteString(body)),
            CBOR.MapEntry(key: .textString("generation"), value: .unsignedInteger(UInt64(index))),
        ])
        let header = FrameHeader(
            opcode: .applicationMessage,
            roomID: room,
            senderID: SenderID(42),
            epoch: Epoch(7),
            timestamp: Timestamp(milliseconds: 1_795_000_000_000 + UInt64(index))!,
            messageID: UInt32(truncatingIfNeeded: index)
        )
        return try Frame.signed(header: header, payload: payload, key: key)
    }

    private func printAnnotated(_ frame: Frame) {
        let header = frame.header
        let rows: [(String, String)] = [
            ("magic", "SUND"), ("version", "\(FrameHeader.version)"),
            ("flags", "0x\(String(header.flags.rawValue, radix: 16))"),
            ("opcode", "0x\(String(header.opcode.rawValue, radix: 16)) \(header.opcode)"), ("room", "\(header.roomID)"),
            ("sender", "\(header.senderID)"), ("epoch", "\(header.epoch)"), ("sequence", "\(header.sequence)"),
            ("timestamp", "\(header.timestamp)"), ("message id", "\(header.messageID)"),
            ("payload length", "\(header.payloadLength)"),
            ("signature", String(header.signature.description.prefix(32)) + "…"),
        ]
        for (name, value) in rows {
            print("  " + name + String(repeating: " ", count: max(1, 16 - name.count)) + value)
        }
        if let payload = try? frame.decodePayload() {
            print(
                "  payload         CBOR map with keys \(payload.mapValue?.map { $0.key.textStringValue ?? "?" } ?? [])"
            )
        }
    }

    private func showTampering(_ frame: Frame, key: SigningKey) throws {
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        var bytes = buffer.readBytes(length: buffer.readableBytes)!
        print("\ntampering:")
        try Frame(decoding: ByteBuffer(bytes: bytes)).verifySignature(with: key.verifyingKey)
        print("  untouched frame           verifies")
        bytes[40] ^= 0x01  // the log sequence
        report("  sequence byte flipped    ") {
            try Frame(decoding: ByteBuffer(bytes: bytes)).verifySignature(with: key.verifyingKey)
        }
        bytes[40] ^= 0x01
        bytes[bytes.count - 1] ^= 0x80  // last payload byte
        report("  payload byte flipped     ") {
            try Frame(decoding: ByteBuffer(bytes: bytes)).verifySignature(with: key.verifyingKey)
        }
    }

    private func showMalformedInput(_ frame: Frame) {
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        let bytes = buffer.readBytes(length: buffer.readableBytes)!
        print("\nmalformed input:")
        report("  first 100 bytes only     ") { _ = try Frame(decoding: ByteBuffer(bytes: bytes.prefix(100))) }
        report("  HTTP request             ") {
            _ = try Frame(decoding: ByteBuffer(string: String(repeating: "GET / HTTP/1.1\r\n", count: 9)))
        }
        var unknownOpcode = bytes
        unknownOpcode[6] = 0x7F
        report("  opcode 0x7f01            ") { _ = try Frame(decoding: ByteBuffer(bytes: unknownOpcode)) }
        report("  one byte too many        ") { _ = try Frame(decoding: ByteBuffer(bytes: bytes + [0])) }
    }

    private func report(_ label: String, _ body: () throws -> Void) {
        do {
            try body()
            print("\(label) accepted (unexpected)")
        } catch {
            print("\(label) refused: \(error)")
        }
    }

    private func roundTrip(room: RoomID, key: SigningKey, generator: inout DeterministicGenerator) throws {
        var built: [Frame] = []
        built.reserveCapacity(frames)
        for index in 0..<frames {
            built.append(try makeFrame(index: index, room: room, key: key, generator: &generator))
        }
        var stream = ByteBuffer()
        for frame in built { frame.encode(into: &stream) }
        let streamBytes = stream.readableBytes

        let start = monotonicNanoseconds()
        var decoded: [Frame] = []
        decoded.reserveCapacity(frames)
        while let frame = try Frame.decodeNext(from: &stream) {
            _ = try frame.decodePayload()
            decoded.append(frame)
        }
        let decodeEnd = monotonicNanoseconds()
        for frame in decoded {
            try frame.verifySignature(with: key.verifyingKey)
        }
        let verifyEnd = monotonicNanoseconds()
        precondition(decoded.count == frames, "every encoded frame decodes")

        let decodeSeconds = Double(decodeEnd - start) / 1e9
        let verifySeconds = Double(verifyEnd - decodeEnd) / 1e9
        print("\nround trip of \(frames) frames (\(streamBytes) bytes), all decoded and verified:")
        print("  decode (header + CBOR)    \(Int(Double(frames) / decodeSeconds)) frames/s")
        print("  verify (Ed25519)          \(Int(Double(frames) / verifySeconds)) frames/s")
        print("  (a debug build is much slower; benchmarks: docs/PERFORMANCE.md)")
    }

    private func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
