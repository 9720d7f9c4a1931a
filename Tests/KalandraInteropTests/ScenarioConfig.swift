import Foundation
import KalandraInterop
import SwiftProtobuf

/// A JSON value, so that steps can be read the way the working group's Go runner reads them.
enum JSONValue: Decodable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Swift.Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

/// A scenario config file: named scripts, each a list of steps (test-config.md).
struct ScenarioConfig: Sendable {
    /// The scripts in name order, so runs and reports are stable.
    let scripts: [(name: String, steps: [ScenarioStep])]

    /// The most steps a script may have: deep_random.json has about 1,700.
    static let maximumSteps = 10_000

    /// Loads `Scenarios/<name>.json` from the test bundle.
    static func load(_ name: String) throws -> ScenarioConfig {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Scenarios") else {
            throw ScenarioError("no scenario config \(name).json in the test resources")
        }
        guard case .object(let root) = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url)),
            case .object(let scripts) = root["scripts"]
        else { throw ScenarioError("\(name).json has no \"scripts\" object") }
        var result: [(name: String, steps: [ScenarioStep])] = []
        for (scriptName, value) in scripts.sorted(by: { $0.key < $1.key }) {
            guard case .array(let items) = value, items.count <= maximumSteps else {
                throw ScenarioError("script \(scriptName) is not a list of at most \(maximumSteps) steps")
            }
            let steps = try items.map(ScenarioStep.init)
            guard steps.allSatisfy({ $0.action != nil }) else {
                throw ScenarioError("a step of \(scriptName) has no action")
            }
            result.append((scriptName, steps))
        }
        return ScenarioConfig(scripts: result)
    }
}

/// One step of a script, or an object inside one. Keys are matched without regard to case, as Go's `encoding/json` does: reinit.json spells
/// `changeCiphersuite` where the runner declares `changeCipherSuite`.
struct ScenarioStep: Sendable {
    let fields: [String: JSONValue]

    init(_ value: JSONValue) throws {
        guard case .object(let object) = value else { throw ScenarioError("a step is not an object") }
        var fields: [String: JSONValue] = [:]
        for (key, value) in object { fields[key.lowercased()] = value }
        self.fields = fields
    }

    var action: String? { string("action") }
    var actor: String? { string("actor") }

    func string(_ key: String) -> String? {
        guard case .string(let value) = fields[key.lowercased()] else { return nil }
        return value
    }

    func int(_ key: String) -> Int? {
        guard case .number(let value) = fields[key.lowercased()], let integer = Int(exactly: value) else { return nil }
        return integer
    }

    /// A flag, true when any of `keys` is true: configs spell some flags both ways (`force_path`, `forcePath`).
    func flag(_ keys: String...) -> Bool {
        keys.contains { key in
            if case .bool(true) = fields[key.lowercased()] { return true }
            return false
        }
    }

    func strings(_ key: String) -> [String] {
        guard case .array(let items) = fields[key.lowercased()] else { return [] }
        return items.compactMap { item in
            guard case .string(let value) = item else { return nil }
            return value
        }
    }

    func ints(_ key: String) -> [Int] {
        guard case .array(let items) = fields[key.lowercased()] else { return [] }
        return items.compactMap { item in
            guard case .number(let value) = item else { return nil }
            return Int(exactly: value)
        }
    }

    func objects(_ key: String) -> [ScenarioStep] {
        guard case .array(let items) = fields[key.lowercased()] else { return [] }
        return items.compactMap { try? ScenarioStep($0) }
    }

    func object(_ key: String) -> ScenarioStep? {
        fields[key.lowercased()].flatMap { try? ScenarioStep($0) }
    }

    /// `[{"extension_type": 3, "extension_data": "<base64>"}]`, as Go encodes `[]byte`.
    func extensions(_ key: String = "extensions") throws -> [MlsClient_Extension] {
        try objects(key).map { item in
            guard let type = item.int("extension_type"), let type = UInt32(exactly: type),
                let data = Data(base64Encoded: item.string("extension_data") ?? "")
            else { throw ScenarioError("malformed extension in \(key)") }
            return .with {
                $0.extensionType = type
                $0.extensionData = data
            }
        }
    }
}

/// A scenario that cannot be played or whose members disagree.
struct ScenarioError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
