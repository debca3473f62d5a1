import Foundation
import Testing
import VAExprs

/// Issue 17: the checks `plugins check` runs on a plugin run over every built-in component of
/// every kind, so built-ins and plugins meet one contract.
@Suite struct BuiltinConformanceTests {
    /// Settings for built-ins that cannot be made without one.
    static let specs: [String: ComponentSpec] = [
        "dense": ComponentSpec(name: "dense", positional: ["4", "tanh"]),
        "dropout": ComponentSpec(name: "dropout", positional: ["0.2"])
    ]

    @Test func everyBuiltinPassesThePluginChecks() throws {
        let registry = try Builtins.makeRegistry()
        let components = registry.entriesSorted.filter { $0.plugin == nil }.map { (kind: $0.kind, name: $0.name) }
        #expect(
            Set(components.map(\.kind)).count == ComponentKind.allCases.count,
            "every kind has built-ins: \(components.map(\.kind))")
        let outcomes = PluginCheck.run(components: components, registry: registry, specs: Self.specs)
        for kind in ComponentKind.allCases {
            #expect(
                outcomes.contains { $0.component.hasPrefix(kind.rawValue + " ") }, "no check ran for \(kind.rawValue)")
        }
        for failed in outcomes where !failed.passed {
            Issue.record("\(failed.component): \(failed.check) failed: \(failed.detail)")
        }
        #expect(outcomes.count >= components.count)
    }
}
