// swift-tools-version: 6.1
// libFuzzer targets for the decoders that take untrusted input. Built with the fuzzer and address sanitizers by
// scripts/fuzz; see docs/FUZZING.md.

import PackageDescription

let package = Package(
    name: "KalandraFuzz",
    dependencies: [
        .package(name: "kalandra", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzCBORDecoder",
            dependencies: [.product(name: "KalandraCBOR", package: "kalandra")]
        ),
        .executableTarget(
            name: "FuzzMLSDecoder",
            dependencies: [.product(name: "KalandraMLS", package: "kalandra")]
        ),
        .executableTarget(
            name: "FuzzFrameDecoder",
            dependencies: [
                .product(name: "KalandraWire", package: "kalandra"),
                .product(name: "KalandraCrypto", package: "kalandra"),
                .product(name: "KalandraCore", package: "kalandra"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzNotificationEnvelope",
            dependencies: [
                .product(name: "KalandraNotificationKeys", package: "kalandra"),
                .product(name: "KalandraCrypto", package: "kalandra"),
                .product(name: "KalandraCore", package: "kalandra"),
            ]
        ),
    ]
)
