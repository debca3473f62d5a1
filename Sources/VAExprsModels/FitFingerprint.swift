import VAExprsCore

/// What every process of a data-parallel fit must agree on before any collective call: the
/// data (its shape, gene ids and labels) and every option that shapes training, each as a
/// 64-bit digest under the parameter that sets it. `DataParallel.agree` compares them, so that
/// processes started with different data or settings stop with one message naming the
/// parameter and the processes, instead of corrupting memory or hanging in a collective.
package struct FitFingerprint: Sendable, Equatable {
    /// Each item: the parameter (library name, as `\(parameter:)` marks it) and its digest.
    package private(set) var items: [Item] = []

    /// One compared value.
    package struct Item: Sendable, Equatable {
        /// The parameter that sets it, e.g. `epochs` or `counts` (for the data).
        package var parameter: String
        /// What it is, e.g. "training cells" or "gene ids" (empty when the parameter says it).
        package var what: String
        /// FNV-1a digest of its text.
        package var digest: UInt64
    }

    /// An empty fingerprint.
    package init() {}

    /// Adds `value` (its text) under `parameter`.
    package mutating func add(_ parameter: String, _ what: String, _ value: String) {
        items.append(Item(parameter: parameter, what: what, digest: Self.digest(Array(value.utf8))))
    }

    /// Adds a list of strings (gene ids, labels) under `parameter`, each string's length
    /// included so that no two lists share a digest by concatenation.
    package mutating func add(_ parameter: String, _ what: String, strings: [String]) {
        var hash = Self.offset
        for s in strings {
            hash = Self.digest(Array("\(s.utf8.count):".utf8), from: hash)
            hash = Self.digest(Array(s.utf8), from: hash)
        }
        items.append(Item(parameter: parameter, what: what, digest: hash))
    }

    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325

    /// 64-bit FNV-1a.
    static func digest(_ bytes: [UInt8], from start: UInt64 = offset) -> UInt64 {
        var hash = start
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        return hash
    }
}

extension DataParallel {
    /// Compares `fingerprint` over the group before any other collective: first the number of
    /// items (processes of different builds), then rank 0's digests against each process's own.
    /// Every collective here has the same size on every process whatever they were given.
    /// - Throws: on every process alike, a `VAExprsError` (`raisedOnEveryProcess`) naming each
    ///   parameter that differs and the ranks that differ from rank 0.
    package static func agree(on fingerprint: FitFingerprint, group: any ProcessGroup) throws {
        let n = Double(group.size), k = Double(fingerprint.items.count)
        // Equal counts: Σk² · n = (Σk)² only when every process has the same k.
        var counts = [k, k * k]
        try group.sum(&counts)
        guard counts[1] * n == counts[0] * counts[0] else {
            var error = VAExprsError(
                .usage,
                """
                the \(group.size) MPI processes do not run the same build of vaexprs (they compare different sets \
                of settings); start every rank with the same program
                """
            )
            error.raisedOnEveryProcess = true
            throw error
        }
        // Rank 0's digests in 16-bit pieces, exact in floats.
        var pieces = [Float](repeating: 0, count: 4 * fingerprint.items.count)
        for (i, item) in fingerprint.items.enumerated() {
            for p in 0..<4 { pieces[4 * i + p] = Float((item.digest >> (16 * UInt64(p))) & 0xFFFF) }
        }
        let mine = pieces
        try group.broadcastFromFirst(&pieces)
        var differs = [Double](repeating: 0, count: fingerprint.items.count * group.size)
        for i in fingerprint.items.indices where pieces[(4 * i)..<(4 * i + 4)] != mine[(4 * i)..<(4 * i + 4)] {
            differs[i * group.size + group.rank] = 1
        }
        try group.sum(&differs)
        var lines: [String] = []
        for (i, item) in fingerprint.items.enumerated() {
            let ranks = (0..<group.size).filter { differs[i * group.size + $0] > 0 }
            guard !ranks.isEmpty else { continue }
            let which =
                ranks.count == 1 ? "rank \(ranks[0])" : "ranks " + ranks.map(String.init).joined(separator: ", ")
            lines.append(
                """
                \(parameter: item.parameter)\(item.what.isEmpty ? "" : " (\(item.what))"): \(which) \
                differ\(ranks.count == 1 ? "s" : "") from rank 0
                """
            )
        }
        guard lines.isEmpty else {
            var error = VAExprsError(
                .usage,
                """
                the \(group.size) MPI processes were not started alike, so none trained and nothing was written: \
                \(lines.joined(separator: "; ")); start every rank with the same data and options
                """
            )
            error.raisedOnEveryProcess = true
            throw error
        }
    }
}
