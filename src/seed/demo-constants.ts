/** The demo programme's name: the seed finds (and on reload replaces) the demo by it. */
export const DEMO_PROGRAMME_NAME = 'Manchester Single Commissioning Function 2017';
