import Foundation
import VAExprsCore

/// SMOTE (Chawla et al. 2002), the standard baseline of augmentation: each new point lies at a
/// uniform random position on the segment from a random real point of the class to one of its
/// `neighbours` nearest neighbours (Euclidean) within the class.
package enum MinorityInterpolation {
    /// `count` interpolated points from the rows of `points` (one class); with a single point,
    /// copies of it (there is no neighbour to interpolate towards).
    package static func interpolate(
        _ points: DoubleMatrix, count: Int, neighbours: Int = 5, rng: inout SeededGenerator
    ) -> DoubleMatrix {
        let n = points.rows, d = points.columns
        var storage = [Double]()
        storage.reserveCapacity(count * d)
        guard n > 0 else { return DoubleMatrix(rows: 0, columns: d, storage: []) }
        let nearest: [[Int]] = (0..<n).map { i in
            let others = (0..<n).filter { $0 != i }
            let distance = others.map { j in (0..<d).reduce(0.0) { $0 + pow(points[i, $1] - points[j, $1], 2) } }
            return others.indices.sorted { (distance[$0], others[$0]) < (distance[$1], others[$1]) }
                .prefix(neighbours).map { others[$0] }
        }
        for _ in 0..<count {
            let i = Int(rng.next() % UInt64(n))
            guard !nearest[i].isEmpty else {
                storage += (0..<d).map { points[i, $0] }
                continue
            }
            let j = nearest[i][Int(rng.next() % UInt64(nearest[i].count))]
            let gap = rng.nextUniform()
            storage += (0..<d).map { points[i, $0] + gap * (points[j, $0] - points[i, $0]) }
        }
        return DoubleMatrix(rows: count, columns: d, storage: storage)
    }
}
