/// A 2-D quadtree over an embedding for Barnes–Hut estimates of t-SNE's repulsive forces
/// (van der Maaten 2014). Nodes live in flat arrays; each covers a contiguous range of a
/// permutation of the points, so a leaf knows exactly which points it holds.
struct BarnesHutTree {
    private(set) var centreOfMassX: [Double] = []
    private(set) var centreOfMassY: [Double] = []
    private(set) var count: [Int32] = []
    private(set) var width: [Double] = []
    /// Index of the first of four consecutive children, or −1 for a leaf.
    private(set) var firstChild: [Int32] = []
    /// The range of `order` a node covers.
    private(set) var rangeStart: [Int32] = []
    private(set) var rangeEnd: [Int32] = []
    /// Points in tree order, and each point's position in it.
    private(set) var order: [Int32]
    private(set) var position: [Int32]

    /// Deeper than this, remaining points are (numerically) identical and share a leaf.
    static let maxDepth = 48

    /// Builds the tree over points (x[i], y[i]).
    init(x: UnsafePointer<Double>, y: UnsafePointer<Double>, n: Int) {
        order = (0..<Int32(n)).map { $0 }
        position = order
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<n { minX = min(minX, x[i]); maxX = max(maxX, x[i]); minY = min(minY, y[i]); maxY = max(maxY, y[i]) }
        let side = max(maxX - minX, maxY - minY) * (1 + 1e-9) + 1e-12
        centreOfMassX.reserveCapacity(2 * n); centreOfMassY.reserveCapacity(2 * n)
        addNode(start: 0, end: n, x: x, y: y)
        var stack: [(node: Int, cx: Double, cy: Double, half: Double, depth: Int)] = [(0, minX + side / 2, minY + side / 2, side / 2, 0)]
        var permutation = order
        permutation.withUnsafeMutableBufferPointer { perm in
            while let (node, cx, cy, half, depth) = stack.popLast() {
                let start = Int(rangeStart[node]), end = Int(rangeEnd[node])
                width[node] = 2 * half
                guard end - start > 1, depth < Self.maxDepth else { continue }
                // Partition into quadrants: (x < cx, y < cy), (x ≥ cx, y < cy), (x < cx, y ≥ cy), (x ≥ cx, y ≥ cy).
                let split = Self.partition(perm, start, end) { y[Int($0)] < cy }
                let lowSplit = Self.partition(perm, start, split) { x[Int($0)] < cx }
                let highSplit = Self.partition(perm, split, end) { x[Int($0)] < cx }
                let bounds = [start, lowSplit, split, highSplit, end]
                let first = count.count
                firstChild[node] = Int32(first)
                for q in 0..<4 { addNode(start: bounds[q], end: bounds[q + 1], x: x, y: y, permutation: perm) }
                let quarter = half / 2
                for q in 0..<4 where bounds[q + 1] > bounds[q] {
                    let qx = cx + (q % 2 == 0 ? -quarter : quarter), qy = cy + (q < 2 ? -quarter : quarter)
                    stack.append((first + q, qx, qy, quarter, depth + 1))
                }
            }
        }
        order = permutation
        for (p, i) in order.enumerated() { position[Int(i)] = Int32(p) }
    }

    private mutating func addNode(start: Int, end: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
                                  permutation: UnsafeMutableBufferPointer<Int32>? = nil) {
        var sx = 0.0, sy = 0.0
        for p in start..<end {
            let i = Int(permutation?[p] ?? Int32(p))
            sx += x[i]; sy += y[i]
        }
        let m = Double(max(end - start, 1))
        centreOfMassX.append(sx / m); centreOfMassY.append(sy / m)
        count.append(Int32(end - start)); width.append(0); firstChild.append(-1)
        rangeStart.append(Int32(start)); rangeEnd.append(Int32(end))
    }

    private static func partition(_ a: UnsafeMutableBufferPointer<Int32>, _ start: Int, _ end: Int, _ isLow: (Int32) -> Bool) -> Int {
        var lo = start, hi = end - 1
        while lo <= hi {
            if isLow(a[lo]) { lo += 1 } else { a.swapAt(lo, hi); hi -= 1 }
        }
        return lo
    }

    /// One node, packed so a visit touches one cache line.
    struct Node {
        var centreOfMassX: Double
        var centreOfMassY: Double
        var squaredWidth: Double
        var mass: Double
        var firstChild: Int32
        var rangeStart: Int32
        var rangeEnd: Int32
    }

    /// The nodes in the packed layout `repulsion` walks.
    func packed() -> [Node] {
        (0..<count.count).map {
            Node(centreOfMassX: centreOfMassX[$0], centreOfMassY: centreOfMassY[$0], squaredWidth: width[$0] * width[$0],
                 mass: Double(count[$0]), firstChild: firstChild[$0], rangeStart: rangeStart[$0], rangeEnd: rangeEnd[$0])
        }
    }

    /// Adds to `force` the unnormalised repulsion Σ_j q_ij² (y_i − y_j) on point i and returns
    /// its part of the normaliser, Σ_j q_ij, with q_ij = 1 / (1 + |y_i − y_j|²). A node whose
    /// width over its distance is below `theta` counts as one mass at its centre (never a
    /// node holding point i itself). `nodes` is `packed()`; `stack` is scratch space.
    static func repulsion(nodes: UnsafeBufferPointer<Node>, position myPosition: Int32, x: Double, y: Double, theta: Double,
                          stack: UnsafeMutablePointer<Int32>, force: inout (Double, Double)) -> Double {
        let theta2 = theta * theta
        var z = 0.0, fx = 0.0, fy = 0.0
        var top = 1
        stack[0] = 0
        while top > 0 {
            top -= 1
            let node = nodes[Int(stack[top])]
            var mass = node.mass
            if mass == 0 { continue }
            let dx = x - node.centreOfMassX, dy = y - node.centreOfMassY
            let d2 = dx * dx + dy * dy
            let leaf = node.firstChild < 0
            let holdsPoint = node.rangeStart <= myPosition && myPosition < node.rangeEnd
            if leaf || (!holdsPoint && node.squaredWidth < theta2 * d2) {
                if holdsPoint {
                    mass -= 1  // the point itself (others in its leaf are its duplicates)
                    if mass == 0 { continue }
                }
                let q = 1 / (1 + d2)
                z += mass * q
                let mq2 = mass * q * q
                fx += mq2 * dx; fy += mq2 * dy
            } else {
                let first = node.firstChild
                stack[top] = first; stack[top + 1] = first + 1; stack[top + 2] = first + 2; stack[top + 3] = first + 3
                top += 4
            }
        }
        force = (fx, fy)
        return z
    }

    /// Stack slots `repulsion` may need: three per level plus the root's four.
    static let stackCapacity = 4 * (maxDepth + 2)
}
