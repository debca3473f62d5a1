import Foundation
import Testing
import VAExprsCore
import VAExprsTestSupport

@testable import VAExprsSamplers

/// The BIC search against R mclust 6.0's `mclustBIC` on the reference sets: every cell of
/// the BIC table, the winner and its parameters.
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
            guard let model = MixtureModel(rawValue: modelName) else {
                Issue.record("unknown model \(modelName)")
                continue
            }
            for (index, value) in column.enumerated() {
                let g = index + 1
                let ours = search.table[model]?[g]
                if let r = value as? Double {
                    guard let ours else {
                        Issue.record("\(name) \(modelName) G=\(g): R fitted (BIC \(r)), we failed")
                        continue
                    }
                    let rel = abs(ours - r) / abs(r)
                    if rel > worst {
                        worst = rel
                        worstCell = "\(modelName) G=\(g): ours \(ours) R \(r)"
                    }
                    compared += 1
                } else if let ours {
                    Issue.record("\(name) \(modelName) G=\(g): R failed (NA), we fitted (BIC \(ours))")
                }
            }
        }
        #expect(worst <= 1e-6, "\(name): worst relative BIC difference \(worst) at \(worstCell) over \(compared) cells")
        // The winner's parameters (components in mclust's order) where the initialisation is R's.
        let parameters = fixture.json["parameters"] as! [String: Any]
        let pro = parameters["pro"] as? [Double] ?? [(parameters["pro"] as? Double) ?? 1]
        if pro.count == search.best.parameters.proportions.count {
            let diff = zip(pro, search.best.parameters.proportions).map { abs($0 - $1) }.max() ?? 0
            #expect(diff < 1e-6, "\(name): mixing proportions differ by \(diff)")
            // mean: d × G, nested by row (one row per dimension) for d > 1.
            if let rows = parameters["mean"] as? [[Double]], fixture.points.columns > 1 {
                var worstMean = 0.0
                for (j, row) in rows.enumerated() {
                    for (k, value) in row.enumerated() {
                        worstMean = max(worstMean, abs(value - search.best.parameters.means[k][j]) / (1 + abs(value)))
                    }
                }
                #expect(worstMean < 1e-6, "\(name): means differ by \(worstMean)")
            }
        }
        let winner = fixture.json["model"] as! String, g = fixture.json["components"] as! Int
        do {
            #expect(
                search.best.model.name(components: search.best.components) == winner && search.best.components == g,
                "\(name): R's winner \(winner) G=\(g), ours \(search.best.model) G=\(search.best.components)")
        }
    }
}

@Suite struct MixtureEdgeCaseTests {
    func points(_ rows: [[Double]]) -> DoubleMatrix {
        DoubleMatrix(rows: rows.count, columns: rows[0].count, storage: rows.flatMap { $0 })
    }

    @Test func badInputIsAClearError() {
        var rng = SeededGenerator(seed: 1)
        for (data, word) in [
            ([[1.0, 2.0]], "a single point"),
            ([[1.0, .nan], [2.0, 3.0], [1, 1]], "NaN"),
            ([[1.0, 5], [2, 5], [3, 5], [4, 5]], "constant")
        ] {
            do {
                _ = try MixtureSearch.run(points(data), rng: &rng)
                Issue.record("expected an error mentioning \(word)")
            } catch let e as VAExprsError {
                #expect(e.message.contains(word), "\(e.message)")
            } catch { Issue.record("\(error)") }
        }
    }

    @Test func samplerFallsBackAndHoldsConstantDimensions() throws {
        var rng = SeededGenerator(seed: 3)
        let sampler = try MclustLatentSampler(spec: ComponentSpec(name: "mclust"))
        // One cell: too few for a mixture, the single-Gaussian fallback says so.
        let tiny = try sampler.fit(points([[0.5, 1]]), label: "rare", rng: &rng)
        #expect(tiny.summary.contains("fallback") && tiny.summary.contains("rare"))
        #expect(tiny.sample(count: 5, rng: &rng).rows == 5)
        // Three cells in five dimensions (n ≤ d): spherical and diagonal models only.
        var few = [[Double]]()
        for _ in 0..<3 { few.append((0..<5).map { _ in rng.nextNormal() }) }
        let small = try MixtureSearch.run(points(few), rng: &rng)
        #expect(small.best.model.isSphericalOrDiagonal && small.table.keys.allSatisfy(\.isSphericalOrDiagonal))
        // A constant latent dimension stays constant in the draws.
        var data: [[Double]] = []
        for _ in 0..<200 { data.append([rng.nextNormal(), 7, rng.nextNormal() * 2]) }
        let fitted = try sampler.fit(points(data), label: nil, rng: &rng)
        let draws = fitted.sample(count: 100, rng: &rng)
        #expect((0..<100).allSatisfy { draws[$0, 1] == 7 })
        #expect(fitted.summary.contains("constant"))
    }

    @Test func samplesFollowTheMixture() throws {
        // Two separated clusters with proportions 0.3 / 0.7: draws reproduce them.
        var rng = SeededGenerator(seed: 5)
        var data: [[Double]] = []
        for i in 0..<400 {
            let c = i < 120 ? -5.0 : 5.0
            data.append([c + rng.nextNormal(), rng.nextNormal()])
        }
        let fitted = try MclustLatentSampler(spec: ComponentSpec(name: "mclust")).fit(
            points(data), label: nil, rng: &rng)
        let draws = fitted.sample(count: 20_000, rng: &rng)
        let left = Double((0..<20_000).filter { draws[$0, 0] < 0 }.count) / 20_000
        #expect(abs(left - 0.3) < 0.02, "share of the left cluster \(left)")
        let rightMean =
            (0..<20_000).filter { draws[$0, 0] > 0 }.map { draws[$0, 0] }.reduce(0, +)
            / Double(20_000 - Int(left * 20_000))
        #expect(abs(rightMean - 5) < 0.2)
    }

    @Test func smallLabelsGetFewComponents() throws {
        // 15 points in 2-D scattered as 5 tight pairs-of-three: mclust itself fits several
        // components (one per clump); the default cap (5·(d + 1) = 15 points per component)
        // allows one, and min_points=0 searches as mclust.
        var rng = SeededGenerator(seed: 8)
        var data: [[Double]] = []
        for c in 0..<5 {
            for _ in 0..<3 {
                data.append([Double(c) * 10 + 0.01 * rng.nextNormal(), Double(c % 2) * 10 + 0.01 * rng.nextNormal()])
            }
        }
        let capped = try MclustLatentSampler(spec: ComponentSpec(name: "mclust")).fit(
            points(data), label: "small", rng: &rng)
        #expect(
            capped.summary.contains("with 1 component(s)")
                && capped.summary.contains("at most 1 component(s) for 15 points"), "\(capped.summary)")
        let exact = try MclustLatentSampler(spec: try ComponentSpec.parseItem("mclust:min_points=0", source: "t")).fit(
            points(data), label: "small", rng: &rng)
        #expect(
            !exact.summary.contains("with 1 component(s)") && !exact.summary.contains("at most"), "\(exact.summary)")
        #expect(throws: VAExprsError.self) {
            try MclustLatentSampler(spec: try ComponentSpec.parseItem("mclust:min_points=-1", source: "t"))
        }
    }

    @Test func optionsAreValidated() {
        #expect(throws: VAExprsError.self) {
            try MclustLatentSampler(spec: try ComponentSpec.parseItem("mclust:components=0..3", source: "--sampler"))
        }
        #expect(throws: VAExprsError.self) {
            try MclustLatentSampler(spec: try ComponentSpec.parseItem("mclust:models=XYZ", source: "--sampler"))
        }
        #expect(throws: Never.self) {
            try MclustLatentSampler(
                spec: try ComponentSpec.parseItem("mclust:components=2..4:models=VVV;EEE", source: "--sampler"))
        }
    }
}

/// With more than 2 000 points our own seeded subset differs from R's random one, so the
/// issue asks for the same winner and a best BIC within 1e-4 (relative).
@Suite struct OwnSubsetTests {
    @Test(arguments: ["large_n3000_2d", "large_n5000_10d"])
    func ownSubsetGivesTheSameWinner(name: String) throws {
        let fixture = try MclustFixture(name)
        var rng = SeededGenerator(seed: 42)
        let search = try MixtureSearch.run(fixture.points, rng: &rng)
        let winner = fixture.json["model"] as! String, g = fixture.json["components"] as! Int,
            bic = fixture.json["bic"] as! Double
        #expect(search.best.model.name(components: search.best.components) == winner && search.best.components == g)
        #expect(abs(search.best.bic - bic) / abs(bic) < 1e-4, "ours \(search.best.bic), R \(bic)")
    }
}
