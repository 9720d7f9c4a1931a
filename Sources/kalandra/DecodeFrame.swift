import ArgumentParser
import KalandraCBOR
import KalandraCore
import KalandraWire
import NIOCore

/// Decodes one frame given in hexadecimal and prints its fields, or the typed error that refused it.
struct DecodeFrame: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode-frame",
        abstract: "Decode a frame given as hexadecimal and print its header and CBOR payload."
    )

    @Argument(help: "The frame's bytes in hexadecimal.")
    var hex: String

    func run() throws {
        guard let bytes = Hex.decode(hex.filter { !$0.isWhitespace }) else {
            throw ValidationError("the argument is not hexadecimal")
        }
        let frame: Frame
        do {
            frame = try Frame(decoding: ByteBuffer(bytes: bytes))
        } catch {
            print("refused: \(error)")
            throw ExitCode(2)
        }
        let header = frame.header
        print("opcode \(header.opcode) flags 0x\(String(header.flags.rawValue, radix: 16)) room \(header.roomID)")
        print("sender \(header.senderID) epoch \(header.epoch) sequence \(header.sequence) message \(header.messageID)")
        print("timestamp \(header.timestamp) payload \(header.payloadLength) bytes")
        do {
            print("payload \(try frame.decodePayload())")
        } catch {
            print("payload refused: \(error)")
            throw ExitCode(2)
        }
    }
}
