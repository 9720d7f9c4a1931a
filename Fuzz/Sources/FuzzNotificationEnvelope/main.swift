import KalandraCore
import KalandraCrypto
import KalandraNotificationKeys

/// The one key the fuzzer's decryptor holds (room 1/2, epoch 3), so corpus envelopes sealed under it authenticate and
/// the fuzzer reaches the body decoder through them.
let fuzzKey: NotificationKey = {
    var generator = DeterministicGenerator(seed: 1)
    let secret = SecretBytes(randomCount: NotificationKey.exportedByteCount, using: &generator)
    guard let key = try? NotificationKey(exported: secret, roomID: RoomID(high: 1, low: 2), epoch: Epoch(3)) else {
        preconditionFailure("a 32-byte key was refused")
    }
    return key
}()
let fuzzDecryptor = NotificationDecryptor(keys: [fuzzKey])

/// libFuzzer entry point. The first byte picks what the rest is:
/// - 0: an envelope: parsed (whatever parses must re-encode to exactly the input) and decrypted (whatever decrypts
///   must re-seal, with its own nonce, to exactly the input: sealing is deterministic given the nonce);
/// - 1: a plaintext body, sealed under the fuzz key and decrypted, which drives the body decoder directly;
/// - 2: a key cache file (whatever loads must re-encode to exactly the input).
/// Errors are expected; crashes, hangs and leaks are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNotificationEnvelope(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 3 {
    case 0:
        if let envelope = try? NotificationEnvelope(decoding: input) {
            precondition(envelope.encoded() == input, "a parsed envelope did not re-encode to its bytes")
        }
        if let notification = try? fuzzDecryptor.decrypt(input) {
            let sealed = try? NotificationEnvelope.seal(
                body: notification.body,
                key: fuzzKey,
                nonce: Array(input[31..<55])
            )
            precondition(sealed?.encoded() == input, "a decrypted envelope did not re-seal to its bytes")
        }
    case 1:
        let nonce = [UInt8](repeating: 7, count: XChaCha20Poly1305.nonceByteCount)
        var header: [UInt8] = [0x4b, 0x4e, 0x01]
        header += [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3]
        header += (0..<4).map { UInt8(truncatingIfNeeded: fuzzKey.keyID >> (24 - 8 * $0)) }
        guard
            let ciphertext = try? XChaCha20Poly1305.seal(
                input,
                key: fuzzKey.secret,
                nonce: nonce,
                associatedData: header
            )
        else { preconditionFailure("sealing with a valid key and nonce failed") }
        if let notification = try? fuzzDecryptor.decrypt(header + nonce + ciphertext) {
            let sealed = try? NotificationEnvelope.seal(body: notification.body, key: fuzzKey, nonce: nonce)
            precondition(sealed?.ciphertext == ciphertext, "a decoded body did not re-encode to its bytes")
        }
    default:
        if let cache = try? NotificationKeyCache(decoding: input) {
            precondition(cache.encoded() == input, "a loaded cache did not re-encode to its bytes")
        }
    }
    return 0
}
