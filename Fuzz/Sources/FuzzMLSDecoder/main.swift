import KalandraMLS

/// Decodes `bytes` as the struct `selector` picks and re-encodes it. The order matches the fields of
/// messages.json, from which the seed corpus is made (0–2 and 13: MLSMessage).
func roundTrip(_ selector: Int, _ bytes: [UInt8]) throws(MLSError) -> [UInt8] {
    switch selector {
    case 3: try RatchetTree.decode(bytes).encoded()
    case 4: try GroupSecrets.decode(bytes).encoded()
    case 5: try AddProposal.decode(bytes).encoded()
    case 6: try UpdateProposal.decode(bytes).encoded()
    case 7: try RemoveProposal.decode(bytes).encoded()
    case 8: try PreSharedKeyProposal.decode(bytes).encoded()
    case 9: try ReInitProposal.decode(bytes).encoded()
    case 10: try ExternalInitProposal.decode(bytes).encoded()
    case 11: try GroupContextExtensionsProposal.decode(bytes).encoded()
    case 12: try Commit.decode(bytes).encoded()
    default: try MLSMessage.decode(bytes).encoded()
    }
}

/// libFuzzer entry point: decode arbitrary bytes as an MLS struct. Errors are expected; crashes, hangs and leaks are
/// not. Whatever decodes must re-encode to exactly the input: the MLS encoding has one form per value (minimal
/// varints, strict presence bytes), so a difference means the decoder accepted something it should not have.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMLSDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let selector = Int(data[0]) % 14
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if let encoded = try? roundTrip(selector, bytes) {
        precondition(encoded == bytes, "decoder \(selector) accepted bytes that re-encode differently")
    }
    return 0
}
