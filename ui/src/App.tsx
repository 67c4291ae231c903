import { HomeScreen } from "./features/home/HomeScreen";

export function App() {
  return <HomeScreen />;
}
