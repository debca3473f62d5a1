import Foundation
import Testing
import VAExprsCore
import VAExprsTestSupport
@testable import VAExprsSamplers

/// The BIC search against R mclust 6.0's `mclustBIC` on the reference sets (the models this
/// build implements; the rest are reported as not yet compared).
@Suite struct MixtureSearchTests {
    @Test(arguments: MclustFixture.names)
    func bicTableMatchesMclust(name: String) throws {
        let fixture = try MclustFixture(name)
        var rng = SeededGenerator(seed: 1)
        let subset = fixture.subset.map { $0.map { $0 - 1 } }
        let search = try MixtureSearch.run(fixture.points, subset: subset, rng: &rng)
        let table = fixture.json["bic_table"] as! [String: [Any]]
        var compared = 0, worst = 0.0, worstCell = ""
        for (modelName, column) in table {
            guard let model = MixtureModel(rawValue: modelName), MixtureEM.isImplemented(model) else { continue }
            for (index, value) in column.enumerated() {
                let g = index + 1
                let ours = search.table[model]?[g]
                if let r = value as? Double {
                    guard let ours else { Issue.record("\(name) \(modelName) G=\(g): R fitted (BIC \(r)), we failed"); continue }
                    let rel = abs(ours - r) / abs(r)
                    if rel > worst { worst = rel; worstCell = "\(modelName) G=\(g): ours \(ours) R \(r)" }
                    compared += 1
                } else if let ours {
                    Issue.record("\(name) \(modelName) G=\(g): R failed (NA), we fitted (BIC \(ours))")
                }
            }
        }
        #expect(worst <= 1e-6, "\(name): worst relative BIC difference \(worst) at \(worstCell) over \(compared) cells")
        let winner = fixture.json["model"] as! String, g = fixture.json["components"] as! Int
        if let model = MixtureModel.allCases.first(where: { $0.name(components: g) == winner || $0.rawValue == winner }),
           MixtureEM.isImplemented(model) {
            #expect(search.best.model.name(components: search.best.components) == winner && search.best.components == g,
                    "\(name): R's winner \(winner) G=\(g), ours \(search.best.model) G=\(search.best.components)")
        }
    }
}
