/// Bounds a `TLSReader` enforces before it allocates or recurses, so hostile input cannot exhaust memory or stack.
public struct TLSLimits: Sendable, Equatable {
    /// The largest length a variable-length vector may declare, in bytes.
    public var maximumVectorBytes: Int
    /// How deeply vectors may nest inside one another.
    public var maximumNestingDepth: Int
    /// The most elements one vector may hold.
    public var maximumElementCount: Int

    /// Limits with the given values; each must be positive.
    public init(maximumVectorBytes: Int, maximumNestingDepth: Int, maximumElementCount: Int) {
        // Configuration, not input. 16 MiB per vector at most keeps every struct we sign or hash (a few such vectors)
        // far below the 2^30 - 1 bytes a varint can state.
        precondition(maximumVectorBytes > 0 && maximumNestingDepth > 0 && maximumElementCount > 0)
        precondition(maximumVectorBytes <= 1 << 24, "TLSLimits.maximumVectorBytes is at most 16 MiB")
        self.maximumVectorBytes = maximumVectorBytes
        self.maximumNestingDepth = maximumNestingDepth
        self.maximumElementCount = maximumElementCount
    }

    /// 16 MiB per vector, 32 levels of nesting, 2^20 elements per vector.
    public static let `default` = TLSLimits(
        maximumVectorBytes: 16 << 20,
        maximumNestingDepth: 32,
        maximumElementCount: 1 << 20
    )
}
