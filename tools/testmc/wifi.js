/*
 * $NETWORK.connected as testmc does it on a device (tools/testmc/main.js in the
 * SDK): join the Wi-Fi network named by mc/config's ssid, resolve once there is
 * an address.
 */
import WiFi from "embedded:network/interface/wifi";
import Timer from "timer";
import config from "mc/config";

export function connectWifi() {
  return new Promise((resolve) => {
    const w = new WiFi({
      onChanged() {
        if (this.address) {
          Timer.clear(this.timer);
          this.close();
          resolve();
        }
      },
    });
    if (w.address) {
      resolve();
      return void w.close();
    }
    trace(`Connecting to Wi-Fi SSID "${config.ssid}"...\n`);
    w.connect(config.password ? { SSID: config.ssid, password: config.password, secure: true } : { SSID: config.ssid });
    w.timer = Timer.set(() => {
      w.close();
      $DONE("Wi-Fi connection attempt timed out");
    }, $TESTMC.wifiConnectionTimeout);
  });
}
