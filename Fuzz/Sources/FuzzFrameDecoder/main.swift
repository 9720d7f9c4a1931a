import KalandraCore
import KalandraCrypto
import KalandraWire
import NIOCore

/// A fixed key, so valid frames in the corpus verify and the fuzzer can reach the payload decoder through them.
let fuzzKey: SigningKey = {
    var generator = DeterministicGenerator(seed: 1)
    return SigningKey.generate(using: &generator)
}()

/// libFuzzer entry point: the stream decoder, the whole-buffer decoder, signature verification and payload decoding
/// on arbitrary bytes. Errors are expected; crashes, hangs and leaks are not. A frame that decodes must re-encode to
/// exactly the bytes it came from.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = ByteBuffer(bytes: UnsafeRawBufferPointer(start: data, count: size))
    var stream = input
    var decodedBytes = 0
    while let frame = try? Frame.decodeNext(from: &stream, maximumPayloadLength: 1 << 16) {
        var encoded = ByteBuffer()
        frame.encode(into: &encoded)
        let original = input.getSlice(at: input.readerIndex + decodedBytes, length: frame.byteCount)
        precondition(encoded == original, "a decoded frame did not re-encode to its bytes")
        decodedBytes += frame.byteCount
        _ = try? frame.verifySignature(with: fuzzKey.verifyingKey)
        _ = try? frame.decodePayload()
    }
    if let frame = try? Frame(decoding: input, maximumPayloadLength: 1 << 16) {
        precondition(frame.byteCount == input.readableBytes, "a whole-buffer decode left bytes unaccounted")
    }
    return 0
}
