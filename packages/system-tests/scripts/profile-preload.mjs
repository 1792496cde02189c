// Loaded into the Next server by profile-notify-route.ts (NODE_OPTIONS=--import …): starts the V8 profiler and writes the
// profile to $WXPAY_PROFILE_DIR when the process exits.
import fs from "node:fs";
import inspector from "node:inspector";

const dir = process.env.WXPAY_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  process.on("exit", () => {
    session.post("Profiler.stop", (err, res) => {
      if (!err) fs.writeFileSync(`${dir}/${process.pid}.cpuprofile`, JSON.stringify(res.profile));
    });
  });
}
