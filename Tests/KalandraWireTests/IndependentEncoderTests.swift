import Foundation
import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraWire
import NIOCore
import Testing

/// Frames made by a second implementation of docs/PROTOCOL.md (scripts/make-fuzz-corpus.py: Python, `cryptography`'s
/// Ed25519 and `cbor2`) decode and verify here with the fields it states, and re-encode to the same bytes. The test
/// fails, never skips, when python3 or its packages are missing (scripts/bootstrap installs them).
@Suite struct IndependentEncoderTests {
    struct Vectors: Decodable {
        struct Entry: Decodable {
            struct Fields: Decodable {
                let opcode: UInt16
                let flags: UInt8
                let room: String
                let sender: UInt64
                let epoch: UInt64
                let sequence: UInt64
                let timestamp: UInt64
                let messageID: UInt32
            }
            let fields: Fields
            let payload: String
            let frame: String
        }
        let publicKey: String
        let frames: [Entry]
    }

    static func runScript() throws -> Vectors {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/make-fuzz-corpus.py").path, "--vectors"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ScriptFailure(message: "make-fuzz-corpus.py failed (run scripts/bootstrap): \(errorText)")
        }
        return try JSONDecoder().decode(Vectors.self, from: data)
    }

    struct ScriptFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    @Test func pythonFramesDecodeAndVerify() throws {
        let vectors = try Self.runScript()
        let key = try VerifyingKey(bytes: try #require(Hex.decode(vectors.publicKey)))
        #expect(vectors.frames.count == Opcode.allCases.count)
        for entry in vectors.frames {
            let bytes = try #require(Hex.decode(entry.frame))
            let frame = try Frame(decoding: ByteBuffer(bytes: bytes))
            try frame.verifySignature(with: key)
            let header = frame.header
            #expect(header.opcode.rawValue == entry.fields.opcode)
            #expect(header.flags.rawValue == entry.fields.flags)
            #expect(header.roomID.description == entry.fields.room)
            #expect(header.senderID.rawValue == entry.fields.sender)
            #expect(header.epoch.rawValue == entry.fields.epoch)
            #expect(header.sequence.rawValue == entry.fields.sequence)
            #expect(header.timestamp.milliseconds == entry.fields.timestamp)
            #expect(header.messageID == entry.fields.messageID)
            #expect(Array(frame.payload.readableBytesView) == Hex.decode(entry.payload))
            let payload = try frame.decodePayload()
            #expect(payload.arrayValue?.count == 3)

            var encoded = ByteBuffer()
            frame.encode(into: &encoded)
            #expect(Array(encoded.readableBytesView) == bytes)
        }
    }
}
