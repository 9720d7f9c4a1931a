import KalandraMLS
import Testing

/// Records an issue unless `body` throws an `MLSError` of `kind` (the context string is not compared).
func expectError(
    _ kind: MLSError.Kind,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(kind), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as MLSError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected MLSError \(kind), got \(error)", sourceLocation: sourceLocation)
    }
}
