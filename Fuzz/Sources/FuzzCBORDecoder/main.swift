import KalandraCBOR

/// libFuzzer entry point: decode arbitrary bytes in both modes. Whatever decodes must re-encode deterministically and
/// decode strictly to the same value; anything else must be a typed error, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCBORDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let limits = CBORDecoder.Limits(maximumDepth: 16, maximumItemCount: 4_096, maximumLength: 1 << 16)
    if let value = try? CBORDecoder(limits: limits, mode: .lenient).decode(bytes) {
        let encoded = CBOREncoder.encode(value)
        let decoded: CBOR
        do {
            decoded = try CBORDecoder(mode: .strict).decode(encoded)
        } catch {
            fatalError("deterministic re-encoding does not decode strictly: \(error)")
        }
        precondition(CBOREncoder.encode(decoded) == encoded, "re-encoding is not stable")
        if let strict = try? CBORDecoder(limits: limits, mode: .strict).decode(bytes) {
            // Strictly decodable input is already in deterministic form.
            precondition(CBOREncoder.encode(strict) == Array(bytes), "strict input did not round-trip byte for byte")
        }
    }
    return 0
}
