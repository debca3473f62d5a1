import Foundation
import VAExprsCore

/// The R mclust reference fixtures in Tests/Fixtures/mclust (see its README).
public struct MclustFixture {
    /// The set's name.
    public let name: String
    /// The points, in double precision as written by R (17 significant digits).
    public let points: DoubleMatrix
    /// The parsed JSON outputs of R.
    public let json: [String: Any]

    /// Every fixture set's name.
    public static var names: [String] {
        let dir = TestPaths.packageRoot + "/Tests/Fixtures/mclust"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Loads one set.
    public init(_ name: String) throws {
        self.name = name
        let dir = TestPaths.packageRoot + "/Tests/Fixtures/mclust/"
        let text = try String(contentsOfFile: dir + name + ".csv", encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces))! }
        }
        points = DoubleMatrix(rows: rows.count, columns: rows[0].count, storage: rows.flatMap { $0 })
        json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + name + ".json")))
            as! [String: Any]
    }

    /// R's hierarchical merge pairs (1-based labels), or nil.
    public var hcPairs: [(Int, Int)]? {
        guard let pairs = json["hc_pairs"] as? [[Int]], pairs.count == 2 else { return nil }
        return zip(pairs[0], pairs[1]).map { ($0, $1) }
    }

    /// R's random initialisation subset (1-based), or nil.
    public var subset: [Int]? { json["subset"] as? [Int] }
}
