import Benchmark
import Foundation
import KalandraCore
import KalandraCrypto
import KalandraMLS

/// The MLS group engine at 1,000 and 10,000 members (suite 1), the operations issue 4 compares with mls-rs:
/// adding N−1 members in one commit, joining from that Welcome, creating a commit with a path in the resulting
/// (fresh) tree, and processing that commit at another member. Fixtures are built once per size, outside the measured
/// region; each measured iteration starts from the same state (group states are values). The mls-rs anchor comes
/// from `Benchmarks/mlsrs_anchor.py`, run beside these (docs/PERFORMANCE.md).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        maxDuration: .seconds(10),
        maxIterations: 20
    )
    for size in sizes() {
        let fixture = Fixture.make(size: size)
        Benchmark("Add \(size - 1) members in one commit (N=\(size))") { benchmark in
            for _ in benchmark.scaledIterations {
                var group = fixture.creatorAlone
                blackHole(try! group.commit(CommitOptions(proposals: fixture.adds), using: &fixture.generator.value))
            }
        }
        Benchmark("Join from the Welcome (N=\(size))") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try! fixture.join(member: 1))
            }
        }
        Benchmark("Create a commit with a path (N=\(size))") { benchmark in
            for _ in benchmark.scaledIterations {
                var group = fixture.committer
                blackHole(try! group.commit(CommitOptions(forcePath: true), using: &fixture.generator.value))
            }
        }
        // The heap a member's state keeps once joined (tree, secrets, secret tree): the bytes allocated and not
        // freed in the measured region, with every joined state kept alive past it.
        Benchmark(
            "Group state memory (N=\(size))",
            configuration: .init(metrics: [.memoryLeakedBytes], maxDuration: .seconds(10), maxIterations: 5)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                fixture.kept.append(try! fixture.join(member: 3))
            }
        }
        Benchmark(
            "Process a commit with a path (N=\(size))",
            configuration: .init(timeUnits: .microseconds, maxDuration: .seconds(10), maxIterations: 50)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                var group = fixture.receiver
                blackHole(try! group.process(fixture.pathCommit))
            }
        }
    }
}

/// The sizes to run: `MLS_BENCH_SIZES` (comma-separated), else 1,000 and 10,000.
func sizes() -> [Int] {
    guard let text = ProcessInfo.processInfo.environment["MLS_BENCH_SIZES"] else { return [1_000, 10_000] }
    return text.split(separator: ",").compactMap { Int($0) }
}

/// A mutable generator shared by benchmark closures.
final class GeneratorBox: @unchecked Sendable {
    var value: DeterministicGenerator
    init(seed: UInt64) { value = DeterministicGenerator(seed: seed) }
}

/// Group states kept alive by the memory benchmark.
final class StateBox: @unchecked Sendable {
    var states: [MLSGroup] = []
    func append(_ state: MLSGroup) { states.append(state) }
}

/// The states every benchmark of one size starts from.
struct Fixture: @unchecked Sendable {
    let provider: any CipherSuiteProvider
    /// The creator's group of one, before the big Add commit.
    let creatorAlone: MLSGroup
    /// One Add proposal per other member.
    let adds: [Proposal]
    /// The members' KeyPackages and signature keys, by member number (1 ..< size).
    let bundles: [KeyPackageBundle]
    let signatureKeys: [SignaturePrivateKey]
    /// The Welcome of the big Add commit.
    let welcome: Welcome
    /// Member 1's group after joining: it makes the path commit.
    let committer: MLSGroup
    /// Member 2's group after joining: it processes the path commit.
    let receiver: MLSGroup
    /// Member 1's commit with a path.
    let pathCommit: MLSMessage
    let generator: GeneratorBox
    /// States the memory benchmark keeps alive.
    let kept = StateBox()

    func join(member: Int) throws -> MLSGroup {
        try MLSGroup.join(
            welcome: welcome,
            keyPackage: bundles[member].keyPackage,
            initPrivateKey: bundles[member].initPrivateKey,
            leafPrivateKey: bundles[member].encryptionPrivateKey,
            signaturePrivateKey: signatureKeys[member]
        )
    }

    static func make(size: Int) -> Fixture {
        let generator = GeneratorBox(seed: UInt64(size))
        let provider = try! CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        var bundles: [KeyPackageBundle] = []
        var signatureKeys: [SignaturePrivateKey] = []
        for member in 0..<size {
            let keys = provider.generateSignatureKeyPair(using: &generator.value)
            signatureKeys.append(keys.privateKey)
            bundles.append(
                try! KeyPackageBundle.generate(
                    credential: .basic(identity: Array("member \(member)".utf8)),
                    signaturePrivateKey: keys.privateKey,
                    provider: provider,
                    lifetime: Lifetime(notBeforeSeconds: 0, notAfterSeconds: .max),
                    capabilities: Capabilities(
                        versions: [.mls10],
                        cipherSuites: [provider.cipherSuite],
                        extensions: [],
                        proposals: [],
                        credentials: [.basic]
                    ),
                    leafExtensions: [],
                    extensions: [],
                    using: &generator.value
                )
            )
        }
        let creatorAlone = try! MLSGroup.create(
            groupID: Array("benchmark \(size)".utf8),
            leafNode: bundles[0].keyPackage.leafNode,
            leafPrivateKey: bundles[0].encryptionPrivateKey,
            signaturePrivateKey: signatureKeys[0],
            provider: provider,
            using: &generator.value
        )
        let adds = bundles.dropFirst().map { Proposal.add(AddProposal(keyPackage: $0.keyPackage)) }
        var creator = creatorAlone
        let output = try! creator.commit(CommitOptions(proposals: adds), using: &generator.value)
        let welcome = output.welcome!
        func joined(_ member: Int) -> MLSGroup {
            try! MLSGroup.join(
                welcome: welcome,
                keyPackage: bundles[member].keyPackage,
                initPrivateKey: bundles[member].initPrivateKey,
                leafPrivateKey: bundles[member].encryptionPrivateKey,
                signaturePrivateKey: signatureKeys[member]
            )
        }
        let committer = joined(1)
        var committing = committer
        let pathCommit = try! committing.commit(CommitOptions(forcePath: true), using: &generator.value).commit
        return Fixture(
            provider: provider,
            creatorAlone: creatorAlone,
            adds: adds,
            bundles: bundles,
            signatureKeys: signatureKeys,
            welcome: welcome,
            committer: committer,
            receiver: joined(2),
            pathCommit: pathCommit,
            generator: generator
        )
    }
}
