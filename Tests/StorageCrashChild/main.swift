import Foundation
import KalandraCore
import KalandraRocksDB
import KalandraStorage

// Child process of the crash-safety test (Tests/KalandraRocksDBTests/CrashSafetyTests.swift). Opens the RocksDB
// store at argv[1] and, with one thread per room (argv[2] rooms), appends synced batches until it is killed. After
// each durable batch it prints "durable ROOM LAST" and flushes, so the parent knows what must survive a SIGKILL.
// Batch sizes and payloads are functions of the position, so the parent can check every byte and every boundary.

let arguments = CommandLine.arguments
guard arguments.count == 3, let rooms = Int(arguments[2]), (1...64).contains(rooms) else {
    FileHandle.standardError.write(Data("usage: StorageCrashChild PATH ROOMS\n".utf8))
    exit(2)
}
let storage: LogStore
do {
    storage = try RocksDBKeyValueStore.openStorage(path: arguments[1])
} catch {
    FileHandle.standardError.write(Data("open failed: \(error)\n".utf8))
    exit(3)
}
let output = NSLock()
for room in 0..<rooms {
    Thread.detachNewThread {
        let roomID = CrashWorkload.room(room)
        do {
            var last = try storage.lastSequence(of: roomID).rawValue
            while true {
                let size = CrashWorkload.batchSize(after: last, room: room)
                var batch = WriteBatch()
                for sequence in (last + 1)...(last + size) {
                    batch.append(
                        CrashWorkload.payload(room: room, sequence: sequence),
                        to: roomID,
                        at: LogSequence(sequence)
                    )
                }
                last += size
                batch.putState(CrashWorkload.marker(last), for: StateKey(.sequencer, room: roomID))
                try storage.write(batch, durability: .synced)
                // One unbuffered write per line: what the parent reads was durable before it was written.
                output.withLock { FileHandle.standardOutput.write(Data("durable \(room) \(last)\n".utf8)) }
            }
        } catch {
            FileHandle.standardError.write(Data("room \(room): \(error)\n".utf8))
            exit(4)
        }
    }
}
while true { sleep(60) }
