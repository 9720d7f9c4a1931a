import KalandraMLS
import Testing

/// Single-byte mutations of vector inputs: a flip inverts every bit of one byte, at the first, middle and last
/// position of a field, so that a check reading only part of the field (a prefix, a sample, a final tag) is caught.
enum ByteFlip {
    /// The first, middle and last positions of a field of `count` bytes, without repeats; none for an empty field.
    static func positions(in count: Int) -> [Int] {
        guard count > 0 else { return [] }
        var positions: [Int] = []
        for position in [0, count / 2, count - 1] where !positions.contains(position) {
            positions.append(position)
        }
        return positions
    }

    /// `bytes` with the byte at `position` inverted.
    static func flipped(_ bytes: [UInt8], at position: Int) -> [UInt8] {
        precondition(bytes.indices.contains(position), "flip position \(position) outside \(bytes.count) bytes")
        var mutated = bytes
        mutated[position] ^= 0xFF
        return mutated
    }

    /// `bytes` flipped at each of `positions(in:)`, with the position flipped.
    static func variants(of bytes: [UInt8]) -> [(position: Int, bytes: [UInt8])] {
        positions(in: bytes.count).map { ($0, flipped(bytes, at: $0)) }
    }

    /// `bytes` flipped at one of the three positions, chosen by `selector` (an index of the thing mutated), for
    /// mutations too costly to repeat three times: over many selectors every position is still exercised.
    static func variant(of bytes: [UInt8], rotatingBy selector: Int) -> (position: Int, bytes: [UInt8]) {
        let positions = positions(in: bytes.count)
        precondition(!positions.isEmpty, "cannot flip a byte of an empty field")
        let position = positions[selector % positions.count]
        return (position, flipped(bytes, at: position))
    }
}

/// Records an issue unless `body` throws an `MLSError` of exactly `kind`; `mutation` names what was changed, for the
/// failure message. A mutated input that is accepted, or rejected for another reason, is a failure.
func expectRejection(
    _ kind: MLSError.Kind,
    _ mutation: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("\(mutation): accepted, expected \(kind)", sourceLocation: sourceLocation)
    } catch let error as MLSError {
        #expect(error.kind == kind, "\(mutation): \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(mutation): expected MLSError \(kind), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A working-group vector entry, tagged with its cipher suite.
protocol SuiteTaggedVector: Decodable {
    /// The entry's cipher suite code point.
    var cipherSuite: UInt16 { get }
}

/// Loads the entries of `fileName` for the supported suites (1 and 3), each with its suite's provider; records an
/// issue unless both suites are present, so that a mutation test never passes on no input.
func loadSupportedVectors<Vector: SuiteTaggedVector>(
    _ type: Vector.Type,
    from fileName: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [(vector: Vector, provider: any CipherSuiteProvider)] {
    let vectors = try VectorLoader.load([Vector].self, from: fileName)
    var supported: [(vector: Vector, provider: any CipherSuiteProvider)] = []
    for vector in vectors {
        let suite = CipherSuite(rawValue: vector.cipherSuite)
        guard CipherSuite.supported.contains(suite) else { continue }
        supported.append((vector, try suite.provider()))
    }
    let suites = Set(supported.map(\.vector.cipherSuite))
    #expect(suites == [1, 3], "\(fileName): supported suites present", sourceLocation: sourceLocation)
    return supported
}
