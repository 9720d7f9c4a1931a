/// A simulated endpoint: a server or a client. Identity, order and hashing use `rawValue` only; `name` is for traces.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The identity.
    public let rawValue: UInt32
    /// A readable name for traces, e.g. "server" or "alice".
    public let name: String

    /// A node named `name`.
    public init(_ rawValue: UInt32, name: String) {
        self.rawValue = rawValue
        self.name = name
    }

    /// The name.
    public var description: String { name }

    public static func == (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue == rhs.rawValue }
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}

/// A directed link from one node to another.
public struct DirectedLink: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The sender.
    public let from: NodeID
    /// The receiver.
    public let to: NodeID

    /// The link from `from` to `to`.
    public init(from: NodeID, to: NodeID) {
        self.from = from
        self.to = to
    }

    /// "from->to".
    public var description: String { "\(from)->\(to)" }

    public static func < (lhs: DirectedLink, rhs: DirectedLink) -> Bool {
        lhs.from != rhs.from ? lhs.from < rhs.from : lhs.to < rhs.to
    }
}

/// How one directed link misbehaves. Latency is uniform in [latencyMin, latencyMax], so a range reorders messages and
/// a single value keeps them in order.
public struct LinkProfile: Equatable, Sendable, CustomStringConvertible {
    /// The shortest delay of a delivered copy.
    public let latencyMin: SimTime
    /// The longest delay of a delivered copy.
    public let latencyMax: SimTime
    /// The chance that a message is lost entirely.
    public let lossProbability: Double
    /// The chance, tried once per extra copy, that a delivered message arrives once more.
    public let duplicationProbability: Double
    /// The most extra copies of one message.
    public let maxDuplicates: Int

    /// A profile, checked: probabilities in [0, 1], `latencyMin <= latencyMax`, `maxDuplicates >= 0`.
    public init(
        latencyMin: SimTime,
        latencyMax: SimTime,
        lossProbability: Double = 0,
        duplicationProbability: Double = 0,
        maxDuplicates: Int = 0
    ) throws(SimulationError) {
        guard latencyMin <= latencyMax else {
            throw .invalidLinkProfile("latency min \(latencyMin) is above max \(latencyMax)")
        }
        guard (0...1).contains(lossProbability) else {
            throw .invalidLinkProfile("loss probability \(lossProbability) is outside [0, 1]")
        }
        guard (0...1).contains(duplicationProbability) else {
            throw .invalidLinkProfile("duplication probability \(duplicationProbability) is outside [0, 1]")
        }
        guard maxDuplicates >= 0 else { throw .invalidLinkProfile("max duplicates \(maxDuplicates) is negative") }
        self.latencyMin = latencyMin
        self.latencyMax = latencyMax
        self.lossProbability = lossProbability
        self.duplicationProbability = duplicationProbability
        self.maxDuplicates = maxDuplicates
    }

    /// A link that delivers every message exactly once after `latency`.
    public static func perfect(latency: SimTime) -> LinkProfile {
        // Always valid, so the checked initialiser cannot fail here.
        LinkProfile(unchecked: latency, latency, 0, 0, 0)
    }

    private init(unchecked min: SimTime, _ max: SimTime, _ loss: Double, _ duplication: Double, _ duplicates: Int) {
        latencyMin = min
        latencyMax = max
        lossProbability = loss
        duplicationProbability = duplication
        maxDuplicates = duplicates
    }

    /// One line for reports.
    public var description: String {
        "latency \(latencyMin)...\(latencyMax), loss \(lossProbability), duplication \(duplicationProbability) "
            + "(at most \(maxDuplicates) extra)"
    }
}

/// What a network has done, for reports.
public struct NetworkCounters: Equatable, Sendable, CustomStringConvertible {
    /// Messages handed to `transmit`.
    public var sent = 0
    /// Copies that will arrive (duplicates included).
    public var delivered = 0
    /// Messages lost to the link's loss probability.
    public var dropped = 0
    /// Extra copies created by duplication.
    public var duplicated = 0
    /// Messages refused by a partition or a one-way block.
    public var blocked = 0

    /// An all-zero count.
    public init() {}

    /// One line for reports.
    public var description: String {
        "sent \(sent), delivered \(delivered), dropped \(dropped), duplicated \(duplicated), blocked \(blocked)"
    }
}

/// The simulated network: decides for each message whether, how often and when it arrives. It holds no queue; the
/// caller schedules the returned delivery times in its own `EventQueue`, so one agenda orders the whole run.
public struct SimulatedNetwork: Sendable {
    /// The profile of every link without an override.
    public var defaultProfile: LinkProfile
    private var overrides: [DirectedLink: LinkProfile] = [:]
    private var blocked: Set<DirectedLink> = []
    /// What the network has done so far.
    public private(set) var counters = NetworkCounters()

    /// A network whose links all behave as `defaultProfile`, with no partitions.
    public init(defaultProfile: LinkProfile) {
        self.defaultProfile = defaultProfile
    }

    /// The profile of the link from `from` to `to`.
    public func profile(from: NodeID, to: NodeID) -> LinkProfile {
        overrides[DirectedLink(from: from, to: to)] ?? defaultProfile
    }

    /// Gives the link from `from` to `to` its own profile; nil returns it to the default.
    public mutating func setProfile(_ profile: LinkProfile?, from: NodeID, to: NodeID) {
        overrides[DirectedLink(from: from, to: to)] = profile
    }

    /// Blocks every link between a node of `a` and a node of `b`, both ways. A node in both sets stays reachable from
    /// itself.
    public mutating func partition(_ a: Set<NodeID>, _ b: Set<NodeID>) {
        for x in a {
            for y in b where x != y {
                blocked.insert(DirectedLink(from: x, to: y))
                blocked.insert(DirectedLink(from: y, to: x))
            }
        }
    }

    /// Blocks the link from `from` to `to` only; the reverse direction keeps working.
    public mutating func blockOneWay(from: NodeID, to: NodeID) {
        blocked.insert(DirectedLink(from: from, to: to))
    }

    /// Lifts every partition and block.
    public mutating func heal() {
        blocked.removeAll()
    }

    /// Lifts the block on the link from `from` to `to` (one direction; heal the reverse separately).
    public mutating func heal(from: NodeID, to: NodeID) {
        blocked.remove(DirectedLink(from: from, to: to))
    }

    /// True when the link from `from` to `to` is blocked.
    public func isBlocked(from: NodeID, to: NodeID) -> Bool {
        blocked.contains(DirectedLink(from: from, to: to))
    }

    /// The blocked links in order, for traces.
    public var blockedLinks: [DirectedLink] { blocked.sorted() }

    /// Sends one message at `now` and returns when its copies arrive, earliest first: none when it is blocked or
    /// lost, more than one when it is duplicated. Every copy draws its own latency, so copies and later messages can
    /// overtake each other.
    public mutating func transmit(from: NodeID, to: NodeID, now: SimTime, rng: inout SimRandom) -> [SimTime] {
        counters.sent += 1
        if isBlocked(from: from, to: to) {
            counters.blocked += 1
            return []
        }
        let link = profile(from: from, to: to)
        if rng.chance(link.lossProbability) {
            counters.dropped += 1
            return []
        }
        var copies = 1
        while copies <= link.maxDuplicates && rng.chance(link.duplicationProbability) {
            copies += 1
        }
        var arrivals: [SimTime] = []
        arrivals.reserveCapacity(copies)
        for _ in 0..<copies {
            let latency = rng.uint64(in: link.latencyMin.microseconds...link.latencyMax.microseconds)
            arrivals.append(now + .microseconds(latency))
        }
        counters.duplicated += copies - 1
        counters.delivered += copies
        return arrivals.sorted()
    }
}
