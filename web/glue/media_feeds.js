// Glue role: feeds. In a large room everyone else's media arrives on one connection, the
// subscription to the media server (peer_connections.js, made with `feeds`); a feed is one person's
// part of it: the tracks of the m-lines C++ names (its microphone's and its camera's, with a video
// of their own, and its screen's, with another), its stats and its audio level, under a handle of
// its own. C++ attaches a feed to
// that person's record as it would a connection, so tiles, speaking rings and stats work the same.
// A feed's connection state is its subscription's.
// Must not: decide which m-line is whose (C++ reads that from the server's `streams`), or close the
// subscription: closing a feed only lets go of its video.
(function mediaFeeds({ shared, expose, newHandle, callApp, guard }) {
  // handle -> { parent: the subscription's handle, pc: its RTCPeerConnection, mids: [audio, video, screen]
  // ('' for none), remote: a MediaStream of the feed's tracks, video: its video handle (0: none),
  // screenVideo: its screen's video handle (0: none) }
  const feeds = new Map();

  const transceiverOf = (pc, mid) => (mid ? pc.getTransceivers().find((t) => t.mid === mid) || null : null);

  // A feed of the subscription `parent` (its RTCPeerConnection `pc`): the tracks received on the
  // m-lines `audioMid`, `videoMid` and `screenMid` ('' for none). Its video (and screen) go to C++ as
  // a remote video (and screen) of the feed's handle, and its state follows the subscription's at once.
  function createFeed(parent, audioMid, videoMid, screenMid) {
    const pc = shared.peerConnection(parent);  // peer_connections.js
    if (!pc) return 0;
    const h = newHandle();
    const tracks = [];
    for (const mid of [audioMid, videoMid]) {
      const t = transceiverOf(pc, mid);
      if (t && t.receiver.track) tracks.push(t.receiver.track);
    }
    const entry = { parent, pc, mids: [audioMid, videoMid, screenMid], remote: new MediaStream(tracks), video: 0, screenVideo: 0 };
    feeds.set(h, entry);
    entry.video = shared.createVideo(entry.remote, false);  // video_frames.js: plays the sound too
    callApp('moimOnRemoteVideo', h, entry.video);
    const screen = transceiverOf(pc, screenMid);
    if (screen && screen.receiver.track) {
      entry.screenVideo = shared.createVideo(new MediaStream([screen.receiver.track]), true);
      callApp('moimOnRemoteScreen', h, entry.screenVideo);
    }
    callApp('moimOnConnectionState', h, pc.connectionState);
    return h;
  }
  function closeFeed(h) {
    const entry = feeds.get(h);
    if (!entry) return false;
    feeds.delete(h);
    if (entry.video) shared.destroyVideo(entry.video);
    if (entry.screenVideo) shared.destroyVideo(entry.screenVideo);
    return true;
  }
  // The subscription's state changed: every feed of it says so (peer health keeps it per person).
  function subscriptionState(parent, state) {
    for (const [h, entry] of feeds) if (entry.parent === parent) callApp('moimOnConnectionState', h, state);
  }
  // The feed's counters, as peer_connections.js reports a connection's: only the inbound streams of
  // its m-lines; the route is the subscription's.
  function feedStats(h) {
    const entry = feeds.get(h);
    if (!entry) return false;
    entry.pc.getStats().then(guard((report) => {
      const [audioMid, videoMid, screenMid] = entry.mids;
      const counters = {};
      const add = (key, v) => { if (typeof v === 'number') counters[key] = (counters[key] || 0) + v; };
      let frames = 0, screenFrames = 0, audioEnergy = 0, audioLevel = 0;
      report.forEach((s) => {
        if (typeof s.timestamp === 'number') counters.timestamp = Math.max(counters.timestamp || 0, s.timestamp);
        if (s.type === 'inbound-rtp' && screenMid && s.mid === screenMid) screenFrames += s.framesDecoded || 0;
        if (s.type !== 'inbound-rtp' || (s.mid !== audioMid && s.mid !== videoMid)) return;
        add('bytesReceived', s.bytesReceived);
        add('packetsReceived', s.packetsReceived);
        add('packetsLost', s.packetsLost);
        if (s.kind === 'video') {
          frames += s.framesDecoded || 0;
          add('framesDecoded', s.framesDecoded);
          counters.frameWidth = s.frameWidth;
          counters.frameHeight = s.frameHeight;
          const codec = s.codecId && report.get(s.codecId);
          counters.codec = codec ? codec.mimeType : undefined;
        } else {
          audioEnergy += s.totalAudioEnergy || 0;
          audioLevel = Math.max(audioLevel, s.audioLevel || 0);
        }
      });
      if (feeds.get(h) === entry)  // peer_connections.js: the route is the subscription's
        shared.sendStats(h, report, entry.remote, { frames, screenFrames, audioEnergy, audioLevel, counters });
    }), () => {});
    return true;
  }
  // [handle, level, ...] of every feed, as peer_connections.js's audioLevels: its microphone's
  // energy since the reading before. One getStats of the subscription for all its feeds (a large
  // room has up to 49), split by mid; each call returns the last reading and starts the next.
  const readings = new Map();  // subscription handle -> true while its getStats is on its way
  function feedLevels() {
    const out = [];
    const parents = new Map();  // subscription handle -> its pc
    for (const [h, entry] of feeds) {
      out.push(h, entry.audioLevel || 0);
      parents.set(entry.parent, entry.pc);
    }
    for (const [parent, pc] of parents) {
      if (readings.get(parent)) continue;
      readings.set(parent, true);
      pc.getStats().then(guard((report) => {
        readings.delete(parent);
        const totals = new Map();  // mid -> {energy, duration}
        report.forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'audio' && typeof s.mid === 'string')
            totals.set(s.mid, { energy: s.totalAudioEnergy || 0, duration: s.totalSamplesDuration || 0 });
        });
        for (const entry of feeds.values()) {
          if (entry.parent !== parent) continue;
          const now = totals.get(entry.mids[0]), last = entry.energyTotals;
          entry.energyTotals = now;
          // No microphone, or its totals went back (a new m-line): no level until the next reading.
          if (!now || !last || now.energy < last.energy || now.duration <= last.duration) entry.audioLevel = 0;
          else entry.audioLevel = Math.min(1, Math.sqrt((now.energy - last.energy) / (now.duration - last.duration)));
        }
      }), () => readings.delete(parent));
    }
    return out;
  }

  shared.closeFeed = closeFeed;                  // for peer_connections.js's closePeer
  shared.feedStats = feedStats;                  // ... requestStats
  shared.feedLevels = feedLevels;                // ... audioLevels
  shared.subscriptionState = subscriptionState;  // ... a subscription's connection state
  expose('createFeed', createFeed, 0);
})(glue);
