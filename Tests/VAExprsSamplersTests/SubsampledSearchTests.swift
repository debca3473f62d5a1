import Foundation
import Testing
import VAExprsCore
import VAExprsTestSupport

@testable import VAExprsSamplers

/// Issue 32, item 0: above 2 000 points the sampler's search runs on a seeded subsample and
/// refits the winner on all points; it finds what the data hold, as the full search does.
@Suite struct SubsampledSearchTests {
    /// 30 000 points of three well-separated 2-D Gaussians (proportions 0.5, 0.3, 0.2).
    static func points() -> DoubleMatrix {
        var rng = SeededGenerator(seed: 8)
        let centres: [[Double]] = [[0, 0], [6, 0], [0, 6]], scales: [Double] = [1, 0.5, 1.5]
        var storage: [Double] = []
        for i in 0..<30_000 {
            let k = i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2
            storage += [centres[k][0] + scales[k] * rng.nextNormal(), centres[k][1] + scales[k] * rng.nextNormal()]
        }
        return DoubleMatrix(rows: 30_000, columns: 2, storage: storage)
    }

    @Test func theWinnerOfTheSubsampleIsRefittedOnAllPoints() throws {
        let points = Self.points()
        var rng = SeededGenerator(seed: 1)
        let (best, note) = try MixtureSearch.searchOnSubsample(
            points, components: Array(1...4), models: [.VII, .VVV], rng: &rng)
        #expect(best.components == 3 && note.contains("2000 of 30000 points"), "\(best.components) \(note)")
        let proportions = best.parameters.proportions.sorted()
        #expect(
            abs(proportions[0] - 0.2) < 0.01 && abs(proportions[1] - 0.3) < 0.01 && abs(proportions[2] - 0.5) < 0.01)
        // Refitted on all points: the BIC is that of 30 000 points (the full search's winner's).
        let full = try MixtureSearch.run(points, components: [3], models: [best.model], rng: &rng).best
        #expect(abs(best.bic - full.bic) < 1e-3 * abs(full.bic), "\(best.bic) vs \(full.bic)")
        // The sampler takes this path above the threshold and says so.
        var samplerRNG = SeededGenerator(seed: 2)
        let fitted = try MclustLatentSampler(spec: ComponentSpec(name: "mclust", options: ["models": "VII,VVV"]))
            .fit(points, label: "x", rng: &samplerRNG)
        #expect(fitted.summary.contains("BIC search on 2000 of 30000 points"), "\(fitted.summary)")
    }
}
