import Foundation
import Testing
import VAExprs

/// Issue 28: components' facts are registered beside their factories, so nothing is made to be
/// asked what it is; for every built-in they agree with what a made instance says.
@Suite struct ComponentFactsTests {
    @Test func registeredFactsAgreeWithTheComponents() throws {
        let registry = Fixtures.registry
        for entry in registry.entriesSorted {
            let spec = ComponentSpec(name: entry.name)
            switch entry.kind {
            case .likelihood:
                let made = try registry.makeLikelihood(spec)
                #expect(entry.facts.likelihoodData == made.data, "\(entry.name)")
                #expect(entry.facts.outputsPerFeature * 7 == made.outputWidth(features: 7), "\(entry.name)")
            case .renderer:
                let made = try registry.makeRenderer(spec)
                #expect(entry.facts.fileExtensions == made.fileExtensions.map { $0.lowercased() }, "\(entry.name)")
            case .reducer:
                #expect(entry.facts.defaultComponents == (entry.name == "pca" ? 50 : 2), "\(entry.name)")
            default:
                #expect(entry.facts == ComponentFacts(), "\(entry.name)")
            }
        }
    }

    @Test func aLikelihoodMustSayWhatItScores() {
        let registry = Registry()
        #expect(throws: VAExprsError.self) {
            try registry.register(
                .likelihood { _ in throw VAExprsError.usage("never made") }, name: "mystery", origin: "test")
        }
    }
}
