// swift-tools-version: 6.1
// Benchmarks (package-benchmark). Run from this folder: `swift package benchmark`; see docs/PERFORMANCE.md.

import PackageDescription

let package = Package(
    name: "KalandraBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "kalandra", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
    ],
    targets: [
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KalandraCore", package: "kalandra"),
                .product(name: "KalandraCBOR", package: "kalandra"),
                .product(name: "KalandraCrypto", package: "kalandra"),
                .product(name: "KalandraWire", package: "kalandra"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/WireBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StorageBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KalandraCore", package: "kalandra"),
                .product(name: "KalandraStorage", package: "kalandra"),
                .product(name: "KalandraRocksDB", package: "kalandra"),
            ],
            path: "Benchmarks/StorageBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DataPlaneBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KalandraCore", package: "kalandra"),
                .product(name: "KalandraCrypto", package: "kalandra"),
                .product(name: "KalandraWire", package: "kalandra"),
                .product(name: "KalandraMLS", package: "kalandra"),
                .product(name: "KalandraDataPlane", package: "kalandra"),
            ],
            path: "Benchmarks/DataPlaneBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MLSBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KalandraCore", package: "kalandra"),
                .product(name: "KalandraCrypto", package: "kalandra"),
                .product(name: "KalandraMLS", package: "kalandra"),
            ],
            path: "Benchmarks/MLSBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
