import Foundation
import Testing

/// The layer rule of docs/ARCHITECTURE.md: a module imports only modules of lower layers. The table in that document
/// is the single source; this test reads it and every import in Sources/, Simulation/ and Benchmarks/.
@Suite struct LayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `| 2 | KalandraWire | ...` rows of the layer table; a cell may hold several modules separated by commas.
    static func layerTable() throws -> [String: Int] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        var layers: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let layer = Int(cells[0]) else { continue }
            for module in cells[1].split(separator: ",") {
                let name = module.trimmingCharacters(in: CharacterSet(charactersIn: "` "))
                if !name.isEmpty { layers[name] = layer }
            }
        }
        return layers
    }

    /// Module name → names of the modules its Swift files import.
    static func imports(under folder: String) throws -> [String: Set<String>] {
        let base = root.appendingPathComponent(folder)
        var result: [String: Set<String>] = [:]
        guard let modules = try? FileManager.default.contentsOfDirectory(atPath: base.path) else { return result }
        for module in modules.sorted() {
            let moduleURL = base.appendingPathComponent(module)
            guard let enumerator = FileManager.default.enumerator(atPath: moduleURL.path) else { continue }
            var imported: Set<String> = []
            while let path = enumerator.nextObject() as? String {
                guard path.hasSuffix(".swift") else { continue }
                let source = try String(contentsOf: moduleURL.appendingPathComponent(path), encoding: .utf8)
                imported.formUnion(importedModules(in: source))
            }
            result[module] = imported
        }
        return result
    }

    /// Matches `import X`, `@testable import X`, `public import X`, `@_implementationOnly import X`, `import struct X.Y`.
    static func importedModules(in source: String) -> Set<String> {
        var modules: Set<String> = []
        for line in source.split(separator: "\n") {
            var words = line.split(separator: " ").map(String.init)
            while let first = words.first,
                first.hasPrefix("@")
                    || [
                        "public", "internal", "package", "private",
                        "fileprivate",
                    ].contains(first)
            {
                words.removeFirst()
            }
            guard words.first == "import", words.count >= 2 else { continue }
            let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"]
            let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
            modules.insert(String(path.split(separator: ".")[0]))
        }
        return modules
    }

    @Test func everySourceModuleHasALayer() throws {
        let layers = try Self.layerTable()
        for module in try Self.imports(under: "Sources").keys {
            #expect(layers[module] != nil, "Sources/\(module) is missing from the layer table in docs/ARCHITECTURE.md")
        }
    }

    @Test func modulesImportOnlyLowerLayers() throws {
        let layers = try Self.layerTable()
        #expect(layers.count >= 5, "the layer table in docs/ARCHITECTURE.md was not found")
        for (module, imported) in try Self.imports(under: "Sources") {
            guard let layer = layers[module] else { continue }
            for dependency in imported.sorted() {
                guard let dependencyLayer = layers[dependency] else { continue }  // not ours: Foundation, NIO, ...
                #expect(
                    dependencyLayer < layer,
                    "\(module) (layer \(layer)) imports \(dependency) (layer \(dependencyLayer))"
                )
            }
        }
    }

    @Test func importParserSeesEveryForm() {
        let source = """
            import KalandraCore
            @testable import KalandraWire
            public import KalandraCrypto
            @_implementationOnly import CSodium
            import struct KalandraCBOR.CBOR
            // import NotAModule is a comment
            """
        #expect(
            Self.importedModules(in: source) == [
                "KalandraCore", "KalandraWire", "KalandraCrypto", "CSodium", "KalandraCBOR",
            ]
        )
    }

    /// The test must be able to fail: a made-up violation is caught by the same rule.
    @Test func aViolationWouldBeCaught() throws {
        let layers = try Self.layerTable()
        let core = try #require(layers["KalandraCore"])
        let wire = try #require(layers["KalandraWire"])
        #expect(!(wire < core), "KalandraCore importing KalandraWire must count as a violation")
    }
}
