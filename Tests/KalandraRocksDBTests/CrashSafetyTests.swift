import Foundation
import KalandraCore
import KalandraRocksDB
import KalandraStorage
import Testing

/// Crash safety with a real process: a child (Tests/StorageCrashChild) appends synced batches to a RocksDB store from
/// four threads and reports each durable batch; the parent kills it with SIGKILL at a random moment, reopens the store
/// and checks that every reported batch is there, byte for byte, and that no batch is partly visible. The same store
/// goes through every round, so recovery itself is crashed into as well.
@Suite struct CrashSafetyTests {
    static let rooms = 4

    static func childExecutable() throws -> URL {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [directory, directory.deletingLastPathComponent()].map {
            $0.appendingPathComponent("StorageCrashChild")
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw ChildMissing()
        }
        return found
    }

    struct ChildMissing: Error, CustomStringConvertible {
        var description: String { "StorageCrashChild not built; run swift build --build-tests" }
    }

    @Test func everyReportedBatchSurvivesSIGKILL() throws {
        let iterations = Int(ProcessInfo.processInfo.environment["KALANDRA_CRASH_ITERATIONS"] ?? "") ?? 20
        let seed = UInt64(ProcessInfo.processInfo.environment["KALANDRA_CRASH_SEED"] ?? "") ?? 20_261_128
        var generator = DeterministicGenerator(seed: seed)
        let folder = TemporaryFolder("crash")
        defer { folder.remove() }
        let executable = try Self.childExecutable()
        var reported = [UInt64](repeating: 0, count: Self.rooms)
        var totalReports = 0

        for iteration in 0..<iterations {
            let child = Process()
            child.executableURL = executable
            child.arguments = [folder.path, String(Self.rooms)]
            let output = Pipe()
            let errors = Pipe()
            child.standardOutput = output
            child.standardError = errors
            try child.run()
            let delayMilliseconds = 30 + Int(generator.next() % 270)
            Thread.sleep(forTimeInterval: Double(delayMilliseconds) / 1_000)
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal, "child exited by itself: \(Self.text(errors))")

            for line in Self.text(output).split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 3, fields[0] == "durable", let room = Int(fields[1]), let last = UInt64(fields[2])
                else {
                    Issue.record("unexpected child output: \(line)")
                    continue
                }
                reported[room] = max(reported[room], last)
                totalReports += 1
            }
            try verify(folder: folder, reported: reported, context: "seed \(seed) round \(iteration)")
        }
        #expect(totalReports > iterations, "the child made too little progress to test anything")
        print(
            "crash safety: seed \(seed), \(iterations) SIGKILLs, \(totalReports) durable batches reported, last \(reported)"
        )
    }

    /// Opens the store and checks each room against what the child reported.
    func verify(folder: TemporaryFolder, reported: [UInt64], context: String) throws {
        let backend = try RocksDBKeyValueStore(path: folder.path)
        defer { backend.close() }
        let storage = LogStore(backend: backend, keySource: .seeded(1))
        for room in 0..<Self.rooms {
            let roomID = CrashWorkload.room(room)
            let last = try storage.lastSequence(of: roomID).rawValue
            #expect(
                last >= reported[room],
                "\(context): room \(room) lost acknowledged entries \(last + 1)...\(reported[room])"
            )
            #expect(
                CrashWorkload.isBoundary(last, room: room),
                "\(context): room \(room) ends inside a batch at \(last)"
            )
            let marker = try storage.readState(StateKey(.sequencer, room: roomID))
            #expect(marker == (last == 0 ? nil : CrashWorkload.marker(last)), "\(context): marker and log disagree")
            var next: UInt64 = 1
            while next <= last {
                let records = try storage.readLog(of: roomID, from: LogSequence(next), maximumCount: 1_000)
                for record in records {
                    #expect(record.sequence.rawValue == next)
                    #expect(record.content == .payload(CrashWorkload.payload(room: room, sequence: next)))
                    next += 1
                }
                if records.isEmpty { break }
            }
            #expect(next == last + 1, "\(context): room \(room) has holes")
        }
    }

    static func text(_ pipe: Pipe) -> String {
        String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}
