import Foundation

/// mls-rs (RFC 9420, through the PyPI wheel `agentvault-mls-rs-uniffi==0.1.1`) as a peer in interop tests: a child
/// `python3 scripts/mlsrs/driver.py` spoken to in JSON lines, one request and one response at a time.
///
/// The driver hosts any number of mls-rs clients, each named by a string (its basic credential identity is the
/// name's UTF-8 bytes) and in at most one group. Its protocol is documented at the top of the script; what mls-rs
/// can and cannot do through the wheel is in docs/MLS-RS-INTEROP.md. `scripts/bootstrap` installs the wheel.
///
/// mls-rs keeps its own commits pending: `add`, `remove` and `commit` return the commit without merging it, and
/// `applyPending` merges it, so the test (playing the delivery service) decides the order of commits.
///
///     let peer = try MLSRSPeer()
///     defer { peer.shutdown() }
///     try peer.newClient("alice")
///     try peer.createGroup("alice")
///     let output = try peer.add("alice", keyPackages: [ourKeyPackage])
///     try peer.applyPending("alice")
final class MLSRSPeer: @unchecked Sendable {
    /// Why a request did not produce a successful response.
    enum Failure: Error, CustomStringConvertible {
        /// The driver process could not be started.
        case launch(String)
        /// The request cannot be written as JSON.
        case invalidRequest(String)
        /// The driver exited or closed its output; `stderr` is the tail of its diagnostics.
        case driverExited(status: Int32?, stderr: String)
        /// No response in time; the driver was terminated, since the stream would now be out of step.
        case timedOut(op: String, seconds: TimeInterval, stderr: String)
        /// A response line that is not a JSON object with a boolean "ok".
        case malformedResponse(op: String, line: String)
        /// The driver answered `"ok": false`: mls-rs rejected the operation, or the driver refused the request.
        case rejected(op: String, type: String, message: String)
        /// A successful response lacks a field, or has it with the wrong type.
        case badField(op: String, field: String)

        var description: String {
            switch self {
            case .launch(let reason):
                return "mls-rs driver did not start: \(reason)"
            case .invalidRequest(let reason):
                return "request is not JSON: \(reason)"
            case .driverExited(let status, let stderr):
                let how = status.map { "exited with status \($0)" } ?? "closed its output"
                return "mls-rs driver \(how) (run scripts/bootstrap if mls_rs_uniffi is missing); stderr:\n\(stderr)"
            case .timedOut(let op, let seconds, let stderr):
                return "mls-rs driver gave no answer to \(op) within \(seconds) s; stderr:\n\(stderr)"
            case .malformedResponse(let op, let line):
                return "mls-rs driver answered \(op) with a malformed line: \(line.prefix(500))"
            case .rejected(let op, let type, let message):
                return "mls-rs \(op) failed: \(type): \(message)"
            case .badField(let op, let field):
                return "mls-rs driver's answer to \(op) lacks a valid \"\(field)\""
            }
        }
    }

    /// A commit made by mls-rs, not yet merged into the committer's group.
    struct CommitOutput: Sendable, Equatable {
        /// An MLSMessage holding a PublicMessage commit.
        let commit: [UInt8]
        /// One Welcome MLSMessage for all members the commit adds.
        let welcome: [UInt8]?
        /// The bare `ratchet_tree` after the commit; only when the committer was created with
        /// `ratchetTreeExtension: false` (otherwise the tree travels inside the Welcome).
        let ratchetTree: [UInt8]?
    }

    /// What a member made of a message it processed.
    struct Received: Sendable, Equatable {
        enum Kind: String, Sendable {
            case commit, proposal, application, welcome
            case groupInfo = "group_info"
            case keyPackage = "key_package"
        }

        enum Effect: String, Sendable {
            case newEpoch = "new_epoch"
            case removed
            case reinit
        }

        let kind: Kind
        /// The plaintext of an application message.
        let data: [UInt8]?
        /// For commits: whether the member moved to a new epoch or was removed.
        let effect: Effect?
        /// The member's epoch afterwards; nil once it has been removed.
        let epoch: UInt64?
    }

    /// A leaf of an mls-rs member's ratchet tree.
    struct Member: Sendable, Equatable {
        let leafIndex: UInt32
        let identity: [UInt8]
        let signatureKey: [UInt8]
    }

    /// The repository's root, from this file's place in it (Tests/KalandraMLSTests/Interop/).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static let driverScript = repositoryRoot.appendingPathComponent("scripts/mlsrs/driver.py")

    /// Whether python3 can import the wheel and the driver exists. Interop tests should fail, not skip, when this is
    /// false in CI (`try #require(MLSRSPeer.isAvailable, "run scripts/bootstrap")`).
    static let isAvailable: Bool = {
        guard FileManager.default.fileExists(atPath: driverScript.path) else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import mls_rs_uniffi"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
        } catch {
            return false
        }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    /// A write to a driver that has died must fail with EPIPE, not kill the test process with SIGPIPE.
    private static let brokenPipesIgnored: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    private let process: Process
    private let input: FileHandle
    private let inbox: Inbox
    private let timeout: TimeInterval
    /// Serialises calls: the protocol is strictly one request, then its response.
    private let callLock = NSLock()
    /// Set after a timeout; every later call fails with it. Guarded by `callLock`.
    private var broken: Failure?

    /// Starts a driver. `timeout` bounds each call; operations on 10,000-member groups take tens of seconds.
    init(timeout: TimeInterval = 300) throws {
        _ = Self.brokenPipesIgnored
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.driverScript.path]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw Failure.launch("\(error)")
        }
        self.process = process
        self.input = input.fileHandleForWriting
        self.timeout = timeout
        let inbox = Inbox(output: output.fileHandleForReading, errors: errors.fileHandleForReading)
        self.inbox = inbox
        // The readers hold only the inbox, so an abandoned peer is deinitialised and its driver terminated.
        Thread { inbox.pump(fromOutput: true) }.start()
        Thread { inbox.pump(fromOutput: false) }.start()
    }

    deinit {
        if process.isRunning {
            process.terminate()
        }
    }

    /// Sends one request (`"op"` plus its fields; bytes as lowercase hex) and returns the driver's response as is,
    /// including `"ok": false` ones. Throws only when no well-formed response arrives within `timeout` (default:
    /// the peer's).
    @discardableResult
    func call(_ request: [String: Any], timeout: TimeInterval? = nil) throws -> [String: Any] {
        let timeout = timeout ?? self.timeout
        callLock.lock()
        defer { callLock.unlock() }
        let op = request["op"] as? String ?? "?"
        if let broken {
            throw broken
        }
        guard JSONSerialization.isValidJSONObject(request) else {
            throw Failure.invalidRequest("\(request)")
        }
        var line = try JSONSerialization.data(withJSONObject: request)
        line.append(0x0A)
        do {
            try input.write(contentsOf: line)
        } catch {
            throw exitFailure()
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        guard let answer = inbox.nextLine(before: deadline) else {
            if inbox.outputClosed {
                throw exitFailure()
            }
            let failure = Failure.timedOut(op: op, seconds: timeout, stderr: inbox.errorText())
            broken = failure
            process.terminate()
            throw failure
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer)),
            let response = object as? [String: Any], Self.bool(response["ok"]) != nil
        else {
            throw Failure.malformedResponse(op: op, line: String(decoding: answer, as: UTF8.self))
        }
        return response
    }

    /// Asks the driver to exit and waits for it, terminating it after a grace period. Idempotent.
    func shutdown() {
        callLock.lock()
        defer { callLock.unlock() }
        guard process.isRunning else { return }
        var line = Data(#"{"op":"shutdown"}"#.utf8)
        line.append(0x0A)
        try? input.write(contentsOf: line)
        try? input.close()
        let deadline = Date(timeIntervalSinceNow: 5)
        while process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        if process.isRunning {
            process.terminate()
        }
    }

    // MARK: - Typed operations

    /// Creates client `name` with a fresh Ed25519 key; returns its signature public key. With
    /// `ratchetTreeExtension: false` its Welcomes leave the tree out and `CommitOutput.ratchetTree` carries it.
    @discardableResult
    func newClient(_ name: String, ratchetTreeExtension: Bool = true) throws -> [UInt8] {
        try perform("new_client", ["name": name, "ratchet_tree_extension": ratchetTreeExtension])
            .bytes("signature_public_key")
    }

    /// A fresh KeyPackage of `name`, as an MLSMessage.
    func keyPackage(_ name: String) throws -> [UInt8] {
        try perform("key_package", ["name": name]).bytes("key_package")
    }

    /// Creates a group at epoch 0 (a random 32-byte id when `groupID` is nil); returns its id.
    @discardableResult
    func createGroup(_ name: String, groupID: [UInt8]? = nil) throws -> [UInt8] {
        var fields: [String: Any] = ["name": name]
        if let groupID {
            fields["group_id"] = Self.hex(groupID)
        }
        return try perform("create_group", fields).bytes("group_id")
    }

    /// Joins from a Welcome; `ratchetTree` is needed iff the Welcome's GroupInfo lacks the tree extension.
    @discardableResult
    func join(_ name: String, welcome: [UInt8], ratchetTree: [UInt8]? = nil) throws -> (groupID: [UInt8], epoch: UInt64)
    {
        var fields: [String: Any] = ["name": name, "welcome": Self.hex(welcome)]
        if let ratchetTree {
            fields["ratchet_tree"] = Self.hex(ratchetTree)
        }
        let response = try perform("join", fields)
        return (try response.bytes("group_id"), try response.uint64("epoch"))
    }

    /// Commits Adds by value (no path); pending until `applyPending`.
    func add(_ name: String, keyPackages: [[UInt8]]) throws -> CommitOutput {
        try commitOutput(perform("add", ["name": name, "key_packages": keyPackages.map(Self.hex)]))
    }

    /// Commits Removes by value (with a path) of the members with these credential identities.
    func remove(_ name: String, identities: [[UInt8]]) throws -> CommitOutput {
        try commitOutput(perform("remove", ["name": name, "identities": identities.map(Self.hex)]))
    }

    /// Commits Removes by value (with a path) of the members at these leaves of the committer's tree.
    func remove(_ name: String, leafIndices: [UInt32]) throws -> CommitOutput {
        try commitOutput(perform("remove", ["name": name, "leaf_indices": leafIndices.map { Int($0) }]))
    }

    /// Commits every proposal the member has received, by reference; with none, an empty commit with a path.
    func commit(_ name: String) throws -> CommitOutput {
        try commitOutput(perform("commit", ["name": name]))
    }

    /// Add proposals (PublicMessages), one per KeyPackage.
    func proposeAdd(_ name: String, keyPackages: [[UInt8]]) throws -> [[UInt8]] {
        try perform("propose_add", ["name": name, "key_packages": keyPackages.map(Self.hex)]).bytesList("proposals")
    }

    /// Remove proposals (PublicMessages) for the members with these credential identities.
    func proposeRemove(_ name: String, identities: [[UInt8]]) throws -> [[UInt8]] {
        try perform("propose_remove", ["name": name, "identities": identities.map(Self.hex)]).bytesList("proposals")
    }

    /// Remove proposals (PublicMessages) for the members at these leaves.
    func proposeRemove(_ name: String, leafIndices: [UInt32]) throws -> [[UInt8]] {
        try perform("propose_remove", ["name": name, "leaf_indices": leafIndices.map { Int($0) }])
            .bytesList("proposals")
    }

    /// Merges the member's pending commit (the delivery service accepted it).
    @discardableResult
    func applyPending(_ name: String) throws -> Received {
        try Self.received(perform("apply_pending", ["name": name]).fields, op: "apply_pending")
    }

    /// Processes any MLSMessage at `name`.
    @discardableResult
    func process(_ name: String, message: [UInt8]) throws -> Received {
        try Self.received(perform("process", ["name": name, "message": Self.hex(message)]).fields, op: "process")
    }

    /// Processes one message at several members in one round trip (large commits cross the pipe once). Stops at
    /// the first failure, after the members before it have processed the message.
    @discardableResult
    func process(_ names: [String], message: [UInt8]) throws -> [String: Received] {
        let response = try perform("process_many", ["names": names, "message": Self.hex(message)])
        guard let results = response.fields["results"] as? [String: Any] else {
            throw Failure.badField(op: "process_many", field: "results")
        }
        var received: [String: Received] = [:]
        for (name, result) in results {
            guard let fields = result as? [String: Any] else {
                throw Failure.badField(op: "process_many", field: "results.\(name)")
            }
            received[name] = try Self.received(fields, op: "process_many")
        }
        return received
    }

    /// An application message (MLSMessage holding a PrivateMessage).
    func encrypt(_ name: String, data: [UInt8]) throws -> [UInt8] {
        try perform("encrypt", ["name": name, "data": Self.hex(data)]).bytes("message")
    }

    /// MLS-Exporter(label, context, length) of the member's current epoch; `length` must be positive.
    func export(_ name: String, label: [UInt8], context: [UInt8], length: Int) throws -> [UInt8] {
        try perform(
            "export",
            ["name": name, "label": Self.hex(label), "context": Self.hex(context), "length": length]
        ).bytes("secret")
    }

    func export(_ name: String, label: String, context: [UInt8] = [], length: Int = 32) throws -> [UInt8] {
        try export(name, label: Array(label.utf8), context: context, length: length)
    }

    /// The epoch as mls-rs's own serialized group state records it.
    func epoch(_ name: String) throws -> UInt64 {
        try perform("epoch", ["name": name]).uint64("epoch")
    }

    /// The members of the member's current (merged) epoch, read from its ratchet tree, by leaf index.
    func roster(_ name: String) throws -> [Member] {
        let response = try perform("roster", ["name": name])
        guard let entries = response.fields["members"] as? [Any] else {
            throw Failure.badField(op: "roster", field: "members")
        }
        return try entries.map { entry in
            guard let fields = entry as? [String: Any] else {
                throw Failure.badField(op: "roster", field: "members")
            }
            let member = Response(op: "roster", fields: fields)
            let leafIndex = try member.uint64("leaf_index")
            guard leafIndex <= UInt64(UInt32.max) else {
                throw Failure.badField(op: "roster", field: "leaf_index")
            }
            return Member(
                leafIndex: UInt32(leafIndex),
                identity: try member.bytes("identity"),
                signatureKey: try member.bytes("signature_key")
            )
        }
    }

    /// The bare `ratchet_tree` of the member's current (merged) epoch.
    func tree(_ name: String) throws -> [UInt8] {
        try perform("tree", ["name": name]).bytes("ratchet_tree")
    }

    // MARK: - Responses

    /// A successful response, with typed access to its fields.
    private struct Response {
        let op: String
        let fields: [String: Any]

        func bytes(_ key: String) throws -> [UInt8] {
            guard let value = try optionalBytes(key) else {
                throw Failure.badField(op: op, field: key)
            }
            return value
        }

        func optionalBytes(_ key: String) throws -> [UInt8]? {
            guard let value = fields[key], !(value is NSNull) else { return nil }
            guard let text = value as? String, let bytes = MLSRSPeer.bytes(hex: text) else {
                throw Failure.badField(op: op, field: key)
            }
            return bytes
        }

        func bytesList(_ key: String) throws -> [[UInt8]] {
            guard let items = fields[key] as? [Any] else {
                throw Failure.badField(op: op, field: key)
            }
            return try items.map { item in
                guard let text = item as? String, let bytes = MLSRSPeer.bytes(hex: text) else {
                    throw Failure.badField(op: op, field: key)
                }
                return bytes
            }
        }

        func uint64(_ key: String) throws -> UInt64 {
            guard let value = optionalUInt64(key) else {
                throw Failure.badField(op: op, field: key)
            }
            return value
        }

        /// JSONSerialization yields NSNumber (or a bridged Int, depending on the platform); never Bool here.
        func optionalUInt64(_ key: String) -> UInt64? {
            if let number = fields[key] as? NSNumber {
                return number.int64Value >= 0 ? number.uint64Value : nil
            }
            return (fields[key] as? Int).flatMap { $0 >= 0 ? UInt64($0) : nil }
        }
    }

    private func perform(_ op: String, _ fields: [String: Any]) throws -> Response {
        var request = fields
        request["op"] = op
        let response = try call(request)
        guard Self.bool(response["ok"]) == true else {
            throw Failure.rejected(
                op: op,
                type: response["error_type"] as? String ?? "?",
                message: response["error"] as? String ?? "\(response)"
            )
        }
        return Response(op: op, fields: response)
    }

    private func commitOutput(_ response: Response) throws -> CommitOutput {
        CommitOutput(
            commit: try response.bytes("commit"),
            welcome: try response.optionalBytes("welcome"),
            ratchetTree: try response.optionalBytes("ratchet_tree")
        )
    }

    private static func received(_ fields: [String: Any], op: String) throws -> Received {
        let response = Response(op: op, fields: fields)
        guard let kindName = fields["kind"] as? String, let kind = Received.Kind(rawValue: kindName) else {
            throw Failure.badField(op: op, field: "kind")
        }
        var effect: Received.Effect?
        if let effectName = fields["effect"] as? String {
            guard let known = Received.Effect(rawValue: effectName) else {
                throw Failure.badField(op: op, field: "effect")
            }
            effect = known
        }
        return Received(
            kind: kind,
            data: try response.optionalBytes("data"),
            effect: effect,
            epoch: response.optionalUInt64("epoch")
        )
    }

    /// JSON booleans arrive as Bool or as NSNumber depending on the platform's JSONSerialization.
    private static func bool(_ value: Any?) -> Bool? {
        if let flag = value as? Bool {
            return flag
        }
        return (value as? NSNumber)?.boolValue
    }

    private func exitFailure() -> Failure {
        // Let the driver finish exiting and its last diagnostics arrive before reporting.
        inbox.waitForErrorsClosed(before: Date(timeIntervalSinceNow: 2))
        let deadline = Date(timeIntervalSinceNow: 2)
        while process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        return .driverExited(status: process.isRunning ? nil : process.terminationStatus, stderr: inbox.errorText())
    }

    // MARK: - Hex

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes spelled by `hex`, or nil if it has an odd length or a non-hex character.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    // MARK: - Reading the driver's output

    /// The driver's stdout and stderr as they arrive, filled by two reader threads (so neither pipe can fill up and
    /// block the driver) and drained by `call`. Everything mutable is guarded by `condition`.
    private final class Inbox: @unchecked Sendable {
        private static let errorTailLimit = 16_384

        private let condition = NSCondition()
        private let outputHandle: FileHandle
        private let errorHandle: FileHandle
        private var output: [UInt8] = []
        /// How far `output` is known to hold no newline, so a multi-megabyte line is scanned once.
        private var scanned = 0
        private var isOutputClosed = false
        private var errors: [UInt8] = []
        private var isErrorsClosed = false

        init(output: FileHandle, errors: FileHandle) {
            outputHandle = output
            errorHandle = errors
        }

        var outputClosed: Bool {
            condition.lock()
            defer { condition.unlock() }
            return isOutputClosed
        }

        /// Runs on a reader thread until end of file.
        func pump(fromOutput: Bool) {
            let handle = fromOutput ? outputHandle : errorHandle
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty {
                    if fromOutput {
                        isOutputClosed = true
                    } else {
                        isErrorsClosed = true
                    }
                } else if fromOutput {
                    output.append(contentsOf: chunk)
                } else {
                    errors.append(contentsOf: chunk)
                    if errors.count > 2 * Self.errorTailLimit {
                        errors.removeFirst(errors.count - Self.errorTailLimit)
                    }
                }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty {
                    return
                }
            }
        }

        /// The next complete line (without its newline), or nil at the deadline or once the output has closed.
        func nextLine(before deadline: Date) -> [UInt8]? {
            condition.lock()
            defer { condition.unlock() }
            while true {
                if let newline = output[scanned...].firstIndex(of: 0x0A) {
                    let line = Array(output[..<newline])
                    output.removeSubrange(...newline)
                    scanned = 0
                    return line
                }
                scanned = output.count
                if isOutputClosed || !condition.wait(until: deadline) {
                    return nil
                }
            }
        }

        func waitForErrorsClosed(before deadline: Date) {
            condition.lock()
            defer { condition.unlock() }
            while !isErrorsClosed, condition.wait(until: deadline) {}
        }

        func errorText() -> String {
            condition.lock()
            defer { condition.unlock() }
            return String(decoding: errors.suffix(Self.errorTailLimit), as: UTF8.self)
        }
    }
}
