extension CBORDecoder {
    /// Bounds on the work and memory that one `decode` call may spend.
    public struct Limits: Sendable {
        /// The most containers (arrays, maps, tags) nested inside each other; a top-level array is at depth 1.
        public var maximumDepth: Int
        /// The most data items in the input, counting every item, map key, tag and string chunk.
        public var maximumItemCount: Int
        /// The most bytes in one string (all chunks together), or elements in one array, or entries in one map.
        public var maximumLength: Int

        /// The highest ``maximumDepth`` allowed. Decoding, encoding, comparing and freeing a value all recurse once
        /// per level, and at this depth they fit in a 512 KiB thread stack (Darwin's secondary threads) even in a
        /// debug build, whose frames are several times larger than an optimized build's.
        public static let maximumSupportedDepth = 128

        /// Depth 32, 65,536 items, strings and containers of up to 16 MiB or 16 Mi elements.
        public static let `default` = Limits()

        /// Creates limits, by default those of ``default``; each must be non-negative, and the depth at most
        /// ``maximumSupportedDepth``.
        public init(maximumDepth: Int = 32, maximumItemCount: Int = 65_536, maximumLength: Int = 16 << 20) {
            self.maximumDepth = maximumDepth
            self.maximumItemCount = maximumItemCount
            self.maximumLength = maximumLength
        }
    }
}
