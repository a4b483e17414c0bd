package com.acme;

import com.acme.Store;
import java.util.List;

public class App {
  public static void main(String[] args) {
    Store s = new Store();
    s.add(2);
  }
}
