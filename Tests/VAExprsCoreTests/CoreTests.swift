import Testing
import VAExprsCore

@Suite struct SpecAndRegistryTests {
    @Test func parsesSpecStrings() throws {
        let specs = try ComponentSpec.parseList("dense:512:relu, dropout:rate=0.1,batchnorm", source: "--encoder")
        #expect(specs.map(\.name) == ["dense", "dropout", "batchnorm"])
        #expect(try specs[0].int("units", position: 0) == 512)
        #expect(specs[0].string("activation", position: 1, default: nil) == "relu")
        #expect(try specs[1].double("rate", position: 0) == 0.1)
        #expect(try ComponentSpec.parseList("", source: "x").isEmpty)
    }

    @Test func malformedArgumentsNameTheOption() {
        #expect(throws: VAExprsError.self) {
            try ComponentSpec.parseItem("dense:many", source: "--encoder").int("units", position: 0)
        }
        do {
            _ = try ComponentSpec.parseItem("dense:many", source: "--encoder").int("units", position: 0)
        } catch let e as VAExprsError {
            #expect(e.message.contains("--encoder") && e.message.contains("many"))
            #expect(e.code == .usage)
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func unknownNamesListTheValidOnes() throws {
        let r = Registry()
        try r.register(.prior { _ in fatalError("unused") }, name: "standard_normal", origin: "test")
        do {
            _ = try r.makePrior(ComponentSpec(name: "laplace", source: "--prior"))
            Issue.record("expected an error")
        } catch let e as VAExprsError {
            #expect(e.message.contains("laplace") && e.message.contains("standard_normal"))
        }
    }

    /// A built-in's options and positional arguments that its factory never reads are errors
    /// naming the valid ones; a plugin's are the plugin's to judge.
    @Test func unreadOptionsAreRejectedNamingTheValidOnes() throws {
        struct Identity: Activation {
            let name = "identity"
            func apply(_ values: inout [Float]) {}
            func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {}
            var derivativeNeedsInput: Bool { false }
        }
        let r = Registry()
        try r.register(
            .activation { spec in
                _ = try spec.double("slope", position: 0, default: 1)
                _ = spec.string("mode", position: nil, default: "a")
                return Identity()
            }, name: "leaky", origin: "built-in (test)")
        try r.register(
            .activation { _ in Identity() }, name: "plain", origin: "/p/x.so",
            plugin: PluginIdentity(name: "x", version: "1", file: "/p/x.so"))
        _ = try r.makeActivation(ComponentSpec.parseItem("leaky:0.2:mode=b", source: "--x"))
        func message(_ item: String) -> String {
            let result = Result { try r.makeActivation(ComponentSpec.parseItem(item, source: "--x")) }
            guard case .failure(let error) = result else { return "accepted" }
            let e = error as? VAExprsError
            #expect(e?.code == .usage)
            return e?.message ?? "\(error)"
        }
        let bogus = message("leaky:bogus=1")
        #expect(bogus.contains("'bogus'") && bogus.contains("mode, slope"), "\(bogus)")
        #expect(message("leaky:0.1:0.2").contains("at most 1 positional"))
        #expect(message("plain:anything=1") == "accepted")
    }

    @Test func nameClashesNameBothOrigins() throws {
        let r = Registry()
        try r.register(.optimizer { _ in fatalError("unused") }, name: "adam", origin: "built-in (A)")
        do {
            try r.register(.optimizer { _ in fatalError("unused") }, name: "Adam", origin: "/plugins/b.so")
            Issue.record("expected a clash")
        } catch let e as VAExprsError {
            #expect(e.message.contains("built-in (A)") && e.message.contains("/plugins/b.so"))
        }
        // The same name in another kind is fine.
        try r.register(.prior { _ in fatalError("unused") }, name: "adam", origin: "x")
        #expect(r.names(of: .optimizer) == ["adam"])
    }
}

@Suite struct RandomTests {
    @Test func sameSeedSameStream() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let xa = (0..<100).map { _ in a.next() }, xb = (0..<100).map { _ in b.next() },
            xc = (0..<100).map { _ in c.next() }
        #expect(xa == xb)
        #expect(xa != xc)
    }

    @Test func normalDrawsHaveUnitMoments() {
        var g = SeededGenerator(seed: 7)
        let n = 200_000
        var s = 0.0, s2 = 0.0
        for _ in 0..<n {
            let x = g.nextNormal()
            s += x
            s2 += x * x
        }
        #expect(abs(s / Double(n)) < 0.01)
        #expect(abs(s2 / Double(n) - 1) < 0.01)
    }
}

@Suite(.serialized) struct MatrixTests {
    func naive(_ a: Matrix, _ ta: Bool, _ b: Matrix, _ tb: Bool) -> Matrix {
        let A = ta ? a.transposed() : a, B = tb ? b.transposed() : b
        var c = Matrix(rows: A.rows, columns: B.columns)
        for i in 0..<A.rows {
            for j in 0..<B.columns {
                var s: Float = 0
                for k in 0..<A.columns { s += A[i, k] * B[k, j] }
                c[i, j] = s
            }
        }
        return c
    }

    func random(_ r: Int, _ c: Int, _ g: inout SeededGenerator) -> Matrix {
        var m = Matrix(rows: r, columns: c)
        for i in m.storage.indices { m.storage[i] = Float(g.nextUniform() - 0.5) }
        return m
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmWithTransposeFlags(flags: (Bool, Bool)) {
        var g = SeededGenerator(seed: 1)
        let (ta, tb) = flags
        let a = ta ? random(7, 5, &g) : random(5, 7, &g)
        let b = tb ? random(3, 7, &g) : random(7, 3, &g)
        let c = BLAS.product(a, transposeA: ta, b, transposeB: tb)
        let expected = naive(a, ta, b, tb)
        for i in c.storage.indices { #expect(abs(c.storage[i] - expected.storage[i]) < 1e-5) }
    }

    func maxDifference(_ a: Matrix, _ b: Matrix) -> Float {
        zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
    }

    /// Threaded products split the output into blocks; each block is its own sgemm call, whose
    /// kernel may round edge tiles differently, so results agree to rounding (and are
    /// repeatable for a fixed thread count, which the model tests check bit for bit).
    @Test func threadedProductsAgreeWithSingleThreadedOnes() {
        var g = SeededGenerator(seed: 2)
        let a = random(64, 300, &g), b = random(300, 200, &g), bt = random(500, 300, &g)
        BLAS.setThreads(1)
        let one = BLAS.product(a, b), oneT = BLAS.product(a, bt, transposeB: true),
            oneA = BLAS.product(a, transposeA: true, random(64, 900, &g))
        var g2 = SeededGenerator(seed: 2)
        _ = (random(64, 300, &g2), random(300, 200, &g2), random(500, 300, &g2))
        BLAS.setThreads(2)
        let two = BLAS.product(a, b), twoT = BLAS.product(a, bt, transposeB: true),
            twoA = BLAS.product(a, transposeA: true, random(64, 900, &g2))
        BLAS.setThreads(1)
        #expect(maxDifference(one, two) < 1e-5)
        #expect(maxDifference(oneT, twoT) < 1e-5)
        #expect(maxDifference(oneA, twoA) < 1e-5)
        #expect(maxDifference(one, naive(a, false, b, false)) < 1e-4)
        #expect(one.storage.allSatisfy { $0.isFinite })
    }

    @Test func blocksCoverTheRangeOnce() {
        let blocks = WorkerPool.blocks(10, parts: 3)
        #expect(blocks == [0..<3, 3..<6, 6..<10])
        #expect(WorkerPool.blocks(1, parts: 4) == [0..<1])
    }

    @Test func gatherAndConcatenate() {
        let m = Matrix(rows: 3, columns: 2, storage: [1, 2, 3, 4, 5, 6])
        #expect(m.gatherRows([2, 0]).storage == [5, 6, 1, 2])
        #expect(
            m.concatenatingColumns(Matrix(rows: 3, columns: 1, storage: [7, 8, 9])).storage == [
                1, 2, 7, 3, 4, 8, 5, 6, 9
            ])
        #expect(m.columnSums() == [9, 12])
    }
}
