import Foundation
import Testing
import VAExprsCore
import VAExprsTestSupport

@testable import VAExprsReducers

@Suite struct ReducerTests {
    func random(_ n: Int, _ d: Int, seed: UInt64, scales: [Double]? = nil) -> DoubleMatrix {
        var rng = SeededGenerator(seed: seed)
        var m = DoubleMatrix(rows: n, columns: d)
        for i in 0..<n { for j in 0..<d { m[i, j] = rng.nextNormal() * (scales?[j % scales!.count] ?? 1) } }
        return m
    }

    @Test func pcaOfARectangleIsKnown() throws {
        // Corners (±3, ±1): variances 12 and 4/3 (divisor n − 1), ratios 0.9 and 0.1, PC1 = x.
        let x = DoubleMatrix(rows: 4, columns: 2, storage: [3, 1, 3, -1, -3, 1, -3, -1])
        var rng = SeededGenerator(seed: 1)
        let e = try PCAReducer(spec: ComponentSpec(name: "pca")).reduce(x, components: 2, rng: &rng)
        let variance = e.metadata["explained_variance"]!, ratio = e.metadata["explained_variance_ratio"]!
        #expect(abs(variance[0] - 12) < 1e-12 && abs(variance[1] - 4.0 / 3) < 1e-12)
        #expect(abs(ratio[0] - 0.9) < 1e-12 && abs(ratio[1] - 0.1) < 1e-12)
        #expect((0..<4).allSatisfy { abs(abs(e.coordinates[$0, 0]) - 3) < 1e-12 })
        #expect(e.axisTitles == ["PC1 (90.0 %)", "PC2 (10.0 %)"])
    }

    @Test func randomizedAgreesWithExact() throws {
        // 600 × 550: a rank-12 signal with decaying strengths plus noise, like expression data.
        let noise = random(600, 550, seed: 3)
        let factors = random(600, 12, seed: 4, scales: (0..<12).map { 12 - Double($0) })
        let loadings = random(12, 550, seed: 6)
        var x = noise
        for i in 0..<600 { for j in 0..<550 { for f in 0..<12 { x[i, j] += factors[i, f] * loadings[f, j] } } }
        var rng = SeededGenerator(seed: 1)
        let exact = try PCAReducer(spec: ComponentSpec(name: "pca", options: ["solver": "exact"])).reduce(
            x, components: 10, rng: &rng)
        let fast = try PCAReducer(spec: ComponentSpec(name: "pca", options: ["solver": "randomized"])).reduce(
            x, components: 10, rng: &rng)
        let a = exact.metadata["explained_variance"]!, b = fast.metadata["explained_variance"]!
        #expect(zip(a, b).allSatisfy { abs($0 - $1) / $0 < 1e-5 }, "\(a) vs \(b)")
        // Same components up to sign: |correlation| of the scores close to 1.
        for c in 0..<10 {
            var dot = 0.0, na = 0.0, nb = 0.0
            for i in 0..<600 {
                dot += exact.coordinates[i, c] * fast.coordinates[i, c]
                na += pow(exact.coordinates[i, c], 2)
                nb += pow(fast.coordinates[i, c], 2)
            }
            #expect(abs(dot) / (na * nb).squareRoot() > 0.999, "component \(c + 1)")
        }
    }

    @Test func mdsPreservesEuclideanDistances() throws {
        let x = random(30, 3, seed: 5)
        var rng = SeededGenerator(seed: 1)
        let e = try MDSReducer(spec: ComponentSpec(name: "mds")).reduce(x, components: 3, rng: &rng)
        var worst = 0.0
        for i in 0..<30 {
            for j in 0..<i {
                var d0 = 0.0, d1 = 0.0
                for c in 0..<3 {
                    d0 += pow(x[i, c] - x[j, c], 2)
                    d1 += pow(e.coordinates[i, c] - e.coordinates[j, c], 2)
                }
                worst = max(worst, abs(d0.squareRoot() - d1.squareRoot()))
            }
        }
        #expect(worst < 1e-10)
        // cmdscale's eigenvalues sum to the total squared distance from the centroid.
        let centred = x.storage.indices.map { k in x.storage[k] - (0..<30).reduce(0.0) { $0 + x[$1, k % 3] } / 30 }
        #expect(abs(e.metadata["eigenvalues"]!.reduce(0, +) - centred.reduce(0) { $0 + $1 * $1 }) < 1e-9)
    }

    @Test func badOptionsAreClearErrors() throws {
        var rng = SeededGenerator(seed: 1)
        let x = random(5, 3, seed: 1)
        #expect(throws: VAExprsError.self) {
            try PCAReducer(spec: ComponentSpec(name: "pca")).reduce(x, components: 4, rng: &rng)
        }
        #expect(throws: VAExprsError.self) {
            try MDSReducer(spec: ComponentSpec(name: "mds")).reduce(x, components: 0, rng: &rng)
        }
        #expect(throws: VAExprsError.self) {
            try PCAReducer(spec: ComponentSpec(name: "pca", options: ["solver": "lanczos"]))
        }
    }
}

@Suite struct NMFTests {
    @Test func recoversAnExactNonNegativeFactorisation() throws {
        // X = W H with non-negative rank-2 factors: the fit drives the error towards 0.
        var rng = SeededGenerator(seed: 9)
        var w = DoubleMatrix(rows: 40, columns: 2), h = DoubleMatrix(rows: 2, columns: 15)
        for i in w.storage.indices { w.storage[i] = rng.nextUniform() }
        for i in h.storage.indices { h.storage[i] = rng.nextUniform() * 3 }
        var x = DoubleMatrix(rows: 40, columns: 15)
        for i in 0..<40 { for j in 0..<15 { x[i, j] = w[i, 0] * h[0, j] + w[i, 1] * h[1, j] } }
        let norm = x.storage.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let e = try NMFReducer(spec: ComponentSpec(name: "nmf", options: ["max_iter": "2000", "tol": "0"])).reduce(
            x, components: 2, rng: &rng)
        #expect(e.metadata["reconstruction_error"]![0] / norm < 1e-3)
        #expect(e.coordinates.storage.allSatisfy { $0 >= 0 })
    }

    @Test func errorNeverIncreasesWithMoreSweeps() throws {
        var rng = SeededGenerator(seed: 2)
        var x = DoubleMatrix(rows: 60, columns: 20)
        for i in x.storage.indices { x.storage[i] = abs(rng.nextNormal()) }
        let errors = try [5, 20, 80].map { budget in
            try NMFReducer(spec: ComponentSpec(name: "nmf", options: ["max_iter": "\(budget)", "tol": "0"])).reduce(
                x, components: 3, rng: &rng
            ).metadata["reconstruction_error"]![0]
        }
        #expect(errors[0] >= errors[1] && errors[1] >= errors[2])
    }

    @Test func negativeDataIsAClearError() {
        var rng = SeededGenerator(seed: 1)
        let x = DoubleMatrix(rows: 3, columns: 2, storage: [1, 2, -0.5, 1, 0, 3])
        do {
            _ = try NMFReducer(spec: ComponentSpec(name: "nmf")).reduce(x, components: 1, rng: &rng)
            Issue.record("expected an error")
        } catch let e as VAExprsError {
            #expect(e.code == .badData && e.message.contains("non-negative") && e.message.contains("cell 2"))
        } catch { Issue.record("\(error)") }
    }
}

@Suite struct DiffusionMapTests {
    func blobs(_ n: Int, seed: UInt64) -> DoubleMatrix {
        var rng = SeededGenerator(seed: seed)
        var x = DoubleMatrix(rows: n, columns: 5)
        for i in 0..<n { for j in 0..<5 { x[i, j] = rng.nextNormal() + (i % 3 == 0 ? 4 : 0) * Double(j % 2) } }
        return x
    }

    @Test func arpackAgreesWithADenseDecomposition() throws {
        // The transition matrix is symmetric with eigenvalues in (−1, 1]; its largest ones from
        // ARPACK equal the top singular values of the dense matrix (LAPACK).
        let x = blobs(120, seed: 4)
        var rng = SeededGenerator(seed: 1)
        let e = try DiffusionMapReducer(spec: ComponentSpec(name: "diffmap", options: ["k": "30"])).reduce(
            x, components: 3, rng: &rng)
        let t = try DiffusionMapReducer.transitionMatrix(x, k: 30)
        var dense = DoubleMatrix(rows: 120, columns: 120)
        for i in 0..<120 { for p in t.rowStart[i]..<t.rowStart[i + 1] { dense[i, t.columns[p]] = t.values[p] } }
        let s = try DenseLinearAlgebra.thinSVD(dense).s
        #expect(abs(e.metadata["trivial_eigenvalue"]![0] - 1) < 1e-10)  // the stationary distribution
        for c in 0..<3 { #expect(abs(e.metadata["eigenvalues"]![c] - s[c + 1]) < 1e-9, "component \(c + 1)") }
        #expect(e.axisTitles == ["DC1", "DC2", "DC3"])
    }

    @Test func destinyDefaults() throws {
        #expect(DiffusionMapReducer.defaultK(999) == 999 && DiffusionMapReducer.defaultK(20_000) == 100)
        #expect(DiffusionMapReducer.defaultK(5500) == 100 + Int((0.5 * 5400).rounded()))  // halfway: cos ease = 0.5
        var rng = SeededGenerator(seed: 1)
        #expect(throws: VAExprsError.self) {
            try DiffusionMapReducer(spec: ComponentSpec(name: "diffmap", options: ["k": "5"])).reduce(
                blobs(50, seed: 1), components: 2, rng: &rng)
        }
        #expect(throws: VAExprsError.self) {
            try DiffusionMapReducer(spec: ComponentSpec(name: "diffmap")).reduce(
                blobs(8, seed: 1), components: 2, rng: &rng)
        }
    }

    @Test func principalAxesFromTheCrossProductAreTheSVDs() throws {
        // Tall data take the cross-product's eigenvectors, wide data the thin SVD: both must be
        // the right singular vectors of the centred data, with PCAReducer's signs.
        let scales = (0..<12).map { 3.0 / Double($0 + 1) }
        for (n, d) in [(400, 12), (9, 12)] {
            var rng = SeededGenerator(seed: 21)
            var x = DoubleMatrix(rows: n, columns: d)
            for i in 0..<n { for j in 0..<d { x[i, j] = rng.nextNormal() * scales[j] } }
            let axes = try PrincipalAxes(fitting: x, components: 5)
            var centred = x
            let mean = x.columnMeans()
            for i in 0..<n { for j in 0..<d { centred[i, j] -= mean[j] } }
            var (u, _, vt) = try DenseLinearAlgebra.thinSVD(centred)
            Centring.fixSigns(u: &u, vt: &vt, components: 5)
            for c in 0..<5 {
                for j in 0..<d {
                    #expect(abs(axes.axes[c, j] - vt[c, j]) < 1e-9, "\(n) × \(d): axis \(c), feature \(j)")
                }
            }
        }
    }
}
