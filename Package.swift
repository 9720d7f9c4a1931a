// swift-tools-version: 6.1
// Kalandra: federated, end-to-end-encrypted group messaging.
// Layers and the rule that a module imports only from layers below it: docs/ARCHITECTURE.md.

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "kalandra",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KalandraCore", targets: ["KalandraCore"]),
        .library(name: "KalandraCBOR", targets: ["KalandraCBOR"]),
        .library(name: "KalandraCrypto", targets: ["KalandraCrypto"]),
        .library(name: "KalandraWire", targets: ["KalandraWire"]),
        .library(name: "KalandraMLS", targets: ["KalandraMLS"]),
        .library(name: "KalandraStorage", targets: ["KalandraStorage"]),
        .library(name: "KalandraStorageTesting", targets: ["KalandraStorageTesting"]),
        .library(name: "KalandraRocksDB", targets: ["KalandraRocksDB"]),
        .library(name: "KalandraInterop", targets: ["KalandraInterop"]),
        .library(name: "KalandraDataPlane", targets: ["KalandraDataPlane"]),
        .library(name: "KalandraNotificationKeys", targets: ["KalandraNotificationKeys"]),
        .library(name: "KalandraSequencer", targets: ["KalandraSequencer"]),
        .library(name: "KalandraClient", targets: ["KalandraClient"]),
        .library(name: "KalandraControlPlane", targets: ["KalandraControlPlane"]),
        .library(name: "KalandraTransport", targets: ["KalandraTransport"]),
        .executable(name: "kalandra", targets: ["kalandra"]),
        .executable(name: "kalandra-mls-interop", targets: ["kalandra-mls-interop"]),
        .executable(name: "kalandra-notify", targets: ["kalandra-notify"]),
        .executable(name: "kalandra-sim", targets: ["kalandra-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", exact: "2.0.1"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
    ],
    targets: [
        // Layer 0
        .target(name: "KalandraCore", swiftSettings: swiftSettings),
        .target(name: "KalandraCBOR", swiftSettings: swiftSettings),
        // Layer 1
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(
            name: "KalandraCrypto",
            dependencies: [
                "KalandraCore",
                "CSodium",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 2
        .target(
            name: "KalandraWire",
            dependencies: [
                "KalandraCore",
                "KalandraCBOR",
                "KalandraCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KalandraMLS",
            dependencies: ["KalandraCore", "KalandraCrypto", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KalandraStorage",
            dependencies: ["KalandraCore", "KalandraCrypto"],
            swiftSettings: swiftSettings
        ),
        // Layer 2: what a notification extension links: push envelopes and the exported key cache (no MLS, no storage)
        .target(
            name: "KalandraNotificationKeys",
            dependencies: ["KalandraCore", "KalandraCBOR", "KalandraCrypto"],
            swiftSettings: swiftSettings
        ),
        // Layer 3: sender keys bridged from the MLS epoch, message encryption, client-side erasure (docs/PROTOCOL.md)
        .target(
            name: "KalandraDataPlane",
            dependencies: [
                "KalandraCore", "KalandraCBOR", "KalandraCrypto", "KalandraWire", "KalandraMLS",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 4: the room sequencer, a sans-IO core (docs/ARCHITECTURE.md)
        .target(
            name: "KalandraSequencer",
            dependencies: [
                "KalandraCore", "KalandraCBOR", "KalandraCrypto", "KalandraWire", "KalandraMLS", "KalandraStorage",
                "KalandraDataPlane", .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 4: the client core, sans-IO (docs/ARCHITECTURE.md)
        .target(
            name: "KalandraClient",
            dependencies: [
                "KalandraCore", "KalandraCBOR", "KalandraCrypto", "KalandraWire", "KalandraMLS", "KalandraDataPlane",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 3: the SwiftNIO transport of frames between clients and a home server (docs/ARCHITECTURE.md)
        .target(
            name: "KalandraTransport",
            dependencies: [
                "KalandraCore", "KalandraCBOR", "KalandraCrypto", "KalandraWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 4: the home server's HTTP control plane: /metrics, /healthz, /readyz, the admin API
        .target(
            name: "KalandraControlPlane",
            dependencies: [
                "KalandraCore", "KalandraCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 3: runners for the MLS working group's test-vector formats (used by tests and `kalandra mls-vectors`)
        .target(
            name: "KalandraMLSVectors",
            dependencies: ["KalandraMLS", "KalandraCore", "KalandraCrypto"],
            swiftSettings: swiftSettings
        ),
        // Layer 3: a client of real MLS groups for the tests of the engine and of the modules built on it
        .target(
            name: "KalandraMLSTesting",
            dependencies: ["KalandraMLS", "KalandraCore", "KalandraCrypto"],
            swiftSettings: swiftSettings
        ),
        // Layer 3: the contract test suite every storage backend runs
        .target(
            name: "KalandraStorageTesting",
            dependencies: ["KalandraCore", "KalandraStorage"],
            swiftSettings: swiftSettings
        ),
        // Layer 4: RocksDB through its C API (Debian's librocksdb-dev)
        .systemLibrary(name: "CRocksDB", pkgConfig: "rocksdb", providers: [.apt(["librocksdb-dev"])]),
        .target(
            name: "KalandraRocksDB",
            dependencies: ["CRocksDB", "KalandraStorage"],
            swiftSettings: swiftSettings
        ),
        // Layer 5: the MLS working group's interop gRPC service over KalandraMLS (docs/INTEROP.md)
        .target(
            name: "KalandraInterop",
            dependencies: [
                "KalandraMLS",
                "KalandraCrypto",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Generated/mls_client.proto", "Generated/SOURCE.md"],
            swiftSettings: swiftSettings
        ),
        // The simulation shell (docs/ARCHITECTURE.md): seeded randomness, virtual time, the event queue, the
        // simulated network, swarm parameters and traces
        .target(
            name: "KalandraSimulation",
            dependencies: [
                "KalandraCore", "KalandraCrypto", "KalandraWire", "KalandraMLS", "KalandraStorage", "KalandraSequencer",
                "KalandraClient", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Simulation/Sources/KalandraSimulation",
            swiftSettings: swiftSettings
        ),
        // The simulator's command line: kalandra-sim --seed S, --seeds N, --swarm, --fault ..., --scenario ...
        .executableTarget(
            name: "kalandra-sim",
            dependencies: ["KalandraSimulation", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Simulation/Sources/kalandra-sim",
            swiftSettings: swiftSettings
        ),
        // Layer 6: the interop server for the working group's test-runner
        .executableTarget(
            name: "kalandra-mls-interop",
            dependencies: [
                "KalandraInterop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 6: the command-line tool
        .executableTarget(
            name: "kalandra",
            dependencies: [
                "KalandraCore",
                "KalandraCBOR",
                "KalandraCrypto",
                "KalandraWire",
                "KalandraMLSVectors",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 6: decrypts push envelopes with a key cache, as a notification extension does (docs/PROTOCOL.md)
        .executableTarget(
            name: "kalandra-notify",
            dependencies: ["KalandraNotificationKeys", "KalandraCore", "KalandraCrypto"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "KalandraCoreTests", dependencies: ["KalandraCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "KalandraCBORTests",
            dependencies: ["KalandraCBOR"],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalandraCryptoTests",
            dependencies: ["KalandraCrypto", "KalandraCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalandraWireTests",
            dependencies: [
                "KalandraWire", "KalandraCore", "KalandraCBOR", "KalandraCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalandraMLSTests",
            dependencies: [
                "KalandraMLS", "KalandraMLSVectors", "KalandraMLSTesting", "KalandraCore", "KalandraCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Vectors", "Interop/mlsrs-messages.json", "Interop/SOURCE.md"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalandraStorageTests",
            dependencies: ["KalandraStorage", "KalandraStorageTesting", "KalandraCore", "KalandraCrypto"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalandraRocksDBTests",
            dependencies: [
                "KalandraRocksDB", "KalandraStorage", "KalandraStorageTesting", "KalandraCore", "StorageCrashChild",
                "KalandraSequencer", "KalandraDataPlane", "KalandraMLS", "KalandraMLSTesting", "KalandraWire",
                "KalandraCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The child process of the crash-safety test: appends until SIGKILLed.
        .executableTarget(
            name: "StorageCrashChild",
            dependencies: ["KalandraRocksDB", "KalandraStorage", "KalandraCore"],
            path: "Tests/StorageCrashChild",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalandraDataPlaneTests",
            dependencies: [
                "KalandraDataPlane", "KalandraCore", "KalandraCBOR", "KalandraCrypto", "KalandraWire", "KalandraMLS",
                "KalandraMLSTesting",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ArchitectureTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "KalandraTransportTests",
            dependencies: [
                "KalandraTransport", "KalandraCore", "KalandraCBOR", "KalandraCrypto", "KalandraWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs promtool and a real Prometheus (Debian's prometheus package) as child processes.
        .testTarget(
            name: "KalandraControlPlaneTests",
            dependencies: [
                "KalandraControlPlane", "KalandraCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalandraClientTests",
            dependencies: [
                "KalandraClient", "KalandraSequencer", "KalandraCore", "KalandraCBOR", "KalandraCrypto", "KalandraWire",
                "KalandraMLS", "KalandraStorage", "KalandraDataPlane",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalandraSequencerTests",
            dependencies: [
                "KalandraSequencer", "KalandraCore", "KalandraCBOR", "KalandraCrypto", "KalandraWire", "KalandraMLS",
                "KalandraStorage", "KalandraDataPlane", "KalandraMLSTesting",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalandraSimulationTests",
            dependencies: ["KalandraSimulation", "KalandraCore"],
            path: "Simulation/Tests/KalandraSimulationTests",
            swiftSettings: swiftSettings
        ),
        // Runs kalandra-notify as a child process; depends on it so `swift build --build-tests` builds it first.
        .testTarget(
            name: "KalandraNotificationKeysTests",
            dependencies: [
                "KalandraNotificationKeys", "KalandraCore", "KalandraCBOR", "KalandraCrypto", "kalandra-notify",
            ],
            swiftSettings: swiftSettings
        ),
        // Two in-process interop servers driven through the working group's scenario configs; depends on the
        // executable so that `swift build --build-tests` builds it for the smoke test that runs it.
        .testTarget(
            name: "KalandraInteropTests",
            dependencies: [
                "KalandraInterop",
                "kalandra-mls-interop",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            resources: [.copy("Scenarios")],
            swiftSettings: swiftSettings
        ),
        // Runs the built executable; depends on it so `swift build --build-tests` builds it first.
        .testTarget(name: "KalandraCLITests", dependencies: ["kalandra"], swiftSettings: swiftSettings),
    ]
)
