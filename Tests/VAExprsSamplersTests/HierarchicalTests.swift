import Testing
import VAExprsCore
import VAExprsTestSupport

@testable import VAExprsSamplers

/// The hierarchical initialisation against R mclust's `hcPairs` on the reference sets.
@Suite struct HierarchicalTests {
    /// The reference sets with a merge tree (1-D sets are initialised from quantiles, no tree).
    static let withTree = MclustFixture.names.filter { (try? MclustFixture($0))?.hcPairs != nil }

    @Test(arguments: withTree)
    func mergeSequenceMatchesMclust(name: String) throws {
        let fixture = try MclustFixture(name)
        let expected = try #require(fixture.hcPairs)
        var points = fixture.points
        if let subset = fixture.subset {
            points = DoubleMatrix(
                rows: subset.count, columns: points.columns,
                storage: subset.flatMap { i in (0..<points.columns).map { points[i - 1, $0] } })
        }
        let transformed = try ScaledSVD.transform(points)
        // mclust initialises with Ward's criterion (hcEII) when n ≤ d.
        let merges =
            points.rows <= points.columns ? HierarchicalEII.merges(transformed) : HierarchicalVVV.merges(transformed)
        #expect(merges.count == expected.count)
        let firstDifference = merges.indices.first {
            $0 < expected.count && (merges[$0].first != expected[$0].0 || merges[$0].second != expected[$0].1)
        }
        #expect(
            firstDifference == nil,
            "\(name): first different merge at step \(firstDifference.map { $0 + 1 } ?? 0) of \(expected.count)")
    }
}
